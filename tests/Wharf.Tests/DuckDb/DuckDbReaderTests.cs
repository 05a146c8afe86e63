using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

public sealed class DuckDbReaderTests : IDisposable
{
    private readonly DuckDbDatabase database = DuckDbDatabase.Open(null);
    private readonly DuckDbConnection connection;

    public DuckDbReaderTests() => connection = database.Connect();

    public void Dispose()
    {
        connection.Dispose();
        database.Dispose();
    }

    private object? One(string expression) => connection.Scalar($"select {expression}");

    [Fact]
    public void Integers_ReadAsTheirDotNetTypes()
    {
        One("42::tinyint").ShouldBe((sbyte)42);
        One("-300::smallint").ShouldBe((short)-300);
        One("2147483647::integer").ShouldBe(int.MaxValue);
        One("(-9223372036854775808)::bigint").ShouldBe(long.MinValue);
        One("255::utinyint").ShouldBe((byte)255);
        One("18446744073709551615::ubigint").ShouldBe(ulong.MaxValue);
        One("170141183460469231731687303715884105727::hugeint").ShouldBe(Int128.MaxValue);
    }

    [Fact]
    public void Decimals_KeepEveryDigitAndTheScale()
    {
        One("123.45::decimal(5,2)").ShouldBe(123.45m);
        One("-0.000001::decimal(9,6)").ShouldBe(-0.000001m);
        One("123456789012345.678::decimal(18,3)").ShouldBe(123456789012345.678m);
        One("12345678901234567890123456.78::decimal(38,2)").ShouldBe(12345678901234567890123456.78m);
    }

    [Fact]
    public void Decimal_TooWideForDotNet_ThrowsInsteadOfRounding()
    {
        Should.Throw<OverflowException>(() => One("99999999999999999999999999999999999999::decimal(38,0)"))
            .Message.ShouldContain("VARCHAR");
    }

    [Fact]
    public void FloatsAndSpecialValues_RoundTrip()
    {
        One("1.5::float").ShouldBe(1.5f);
        One("'NaN'::double").ShouldBe(double.NaN);
        One("'-Infinity'::double").ShouldBe(double.NegativeInfinity);
    }

    [Fact]
    public void Text_InlinedAndLongAndUnicode_ReadExactly()
    {
        One("'short'").ShouldBe("short");
        One("'exactly12byt'").ShouldBe("exactly12byt");
        One("'a string longer than twelve bytes, with ünïcödé and \"quotes\"'")
            .ShouldBe("a string longer than twelve bytes, with ünïcödé and \"quotes\"");
        One("''").ShouldBe("");
        One("'\\x00\\xFF'::blob").ShouldBe(new byte[] { 0, 255 });
    }

    [Fact]
    public void DatesAndTimes_KeepMicrosecondsAndZones()
    {
        One("date '2024-02-29'").ShouldBe(new DateOnly(2024, 2, 29));
        One("date '0001-01-01'").ShouldBe(new DateOnly(1, 1, 1));
        One("time '23:59:59.999999'").ShouldBe(new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9999990)));
        One("timestamp '2024-01-02 03:04:05.000001'").ShouldBe(new DateTime(2024, 1, 2, 3, 4, 5).AddTicks(10));
        One("timestamp_ms '2024-01-02 03:04:05.123'").ShouldBe(new DateTime(2024, 1, 2, 3, 4, 5, 123));
        One("'infinity'::timestamp").ShouldBe(DateTime.MaxValue);

        connection.Execute("set TimeZone = 'UTC'");
        var tz = (DateTime)One("timestamptz '2024-06-01 12:00:00+02'")!;
        tz.Kind.ShouldBe(DateTimeKind.Utc);
        tz.ShouldBe(new DateTime(2024, 6, 1, 10, 0, 0, DateTimeKind.Utc));

        var timeTz = (DateTimeOffset)One("'10:20:30.5-03:30'::timetz")!;
        timeTz.TimeOfDay.ShouldBe(new TimeSpan(0, 10, 20, 30, 500));
        timeTz.Offset.ShouldBe(new TimeSpan(-3, -30, 0));
    }

    [Fact]
    public void IntervalUuidBoolEnum_Read()
    {
        One("interval '1 year 2 days 3 seconds'").ShouldBe(new DuckDbInterval(12, 2, 3_000_000));
        One("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid").ShouldBe(Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        One("'00000000-0000-0000-0000-000000000001'::uuid").ShouldBe(Guid.Parse("00000000-0000-0000-0000-000000000001"));
        One("true").ShouldBe(true);
        connection.Execute("create type mood as enum ('sad', 'ok', 'happy')");
        One("'happy'::mood").ShouldBe("happy");
    }

    [Fact]
    public void ListsStructsAndMaps_ReadAsNestedDotNetValues()
    {
        One("[1, null, 3]").ShouldBe(new List<object?> { 1, null, 3 });
        One("[]::int[]").ShouldBe(new List<object?>());
        One("[[1], [2, 3]]").ShouldBe(new List<object?> { new List<object?> { 1 }, new List<object?> { 2, 3 } });
        One("[1, 2]::int[2]").ShouldBe(new List<object?> { 1, 2 });
        var row = (Dictionary<string, object?>)One("{'id': 7, 'tags': ['a', 'b'], 'inner': {'x': null}}")!;
        row["id"].ShouldBe(7);
        row["tags"].ShouldBe(new List<object?> { "a", "b" });
        ((Dictionary<string, object?>)row["inner"]!)["x"].ShouldBeNull();
        var map = (List<KeyValuePair<object, object?>>)One("map {'k1': 1, 'k2': 2}")!;
        map.ShouldBe([new("k1", 1), new("k2", 2)]);
    }

    [Fact]
    public void Nulls_AreDbNullAndIsDBNull()
    {
        using var reader = connection.Query("select null::int as a, 1 as b");
        reader.Read().ShouldBeTrue();
        reader.IsDBNull(0).ShouldBeTrue();
        reader.GetValue(0).ShouldBe(DBNull.Value);
        reader.GetInt32(1).ShouldBe(1);
        reader.GetName(1).ShouldBe("b");
        reader.GetDataTypeName(0).ShouldBe("INTEGER");
        reader.Read().ShouldBeFalse();
    }

    [Fact]
    public void LargeResult_StreamsAcrossManyChunks()
    {
        using var reader = connection.Query("select i, i::varchar as s from range(100000) t(i)");
        long count = 0, sum = 0;
        while (reader.Read())
        {
            reader.GetString(1).ShouldBe(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            sum += reader.GetInt64(0);
            count++;
        }

        count.ShouldBe(100_000);
        sum.ShouldBe(4_999_950_000);
    }

    [Fact]
    public void Parameters_BindEveryCommonType()
    {
        var values = new object?[]
        {
            42L, "text", 1.25m, new DateOnly(2020, 1, 1), new DateTime(2020, 1, 1, 1, 2, 3), true, null, 3.5, new byte[] { 1, 2 },
        };
        using var reader = connection.Query("select $1, $2, $3, $4, $5, $6, $7, $8, $9", values);
        reader.Read().ShouldBeTrue();
        reader.GetInt64(0).ShouldBe(42);
        reader.GetString(1).ShouldBe("text");
        Convert.ToDecimal(reader.GetValue(2), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(1.25m);
        reader.GetValue(3).ShouldBe(new DateOnly(2020, 1, 1));
        reader.GetDateTime(4).ShouldBe(new DateTime(2020, 1, 1, 1, 2, 3));
        reader.GetBoolean(5).ShouldBeTrue();
        reader.IsDBNull(6).ShouldBeTrue();
        reader.GetDouble(7).ShouldBe(3.5);
        reader.GetValue(8).ShouldBe(new byte[] { 1, 2 });
    }

    [Fact]
    public void Errors_CarryDuckDbsMessageAndTheStatement()
    {
        var error = Should.Throw<DuckDbException>(() => connection.Execute("select * from no_such_table"));
        error.Message.ShouldContain("no_such_table");
        error.Sql.ShouldBe("select * from no_such_table");
        Should.Throw<DuckDbException>(() => connection.Query("selec 1")).Message.ShouldContain("syntax error");
    }

    [Fact]
    public void ErrorDuringStreaming_SurfacesFromRead()
    {
        // DuckDB may compute the first chunks while executing; the error surfaces from Query or Read.
        // Under load, a streaming result sometimes reports the worker's error as the interrupt it
        // caused rather than its own message: either way the reader must fail, never end quietly.
        var error = Should.Throw<DuckDbException>(() =>
        {
            using var reader = connection.Query("select case when i < 500000 then i else error('boom at ' || i) end from range(1000000) t(i)");
            while (reader.Read())
            {
            }
        });
        error.Message.ShouldSatisfyAllConditions(m => (m.Contains("boom", StringComparison.Ordinal) || m.Contains("Interrupted", StringComparison.Ordinal)).ShouldBeTrue(m));
    }

    [Fact]
    public async Task Cancellation_InterruptsALongQuery()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Should.ThrowAsync<OperationCanceledException>(() =>
            connection.ExecuteAsync("select count(*) from range(10000000000) a, range(1000) b", cancellation.Token));
        connection.Scalar("select 1").ShouldBe(1);
    }

    [Fact]
    public void Extensions_AreNeverDownloaded()
    {
        connection.Scalar("select current_setting('autoinstall_known_extensions')").ShouldBe(false);
        connection.Scalar("select current_setting('autoload_known_extensions')").ShouldBe(false);
    }
}
