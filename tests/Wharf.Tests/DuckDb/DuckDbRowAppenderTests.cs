using System.Numerics;
using DuckDB.NET.Data;
using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

/// <summary>
/// Rows of .NET values appended with <see cref="DuckDbRowAppender"/>, read back as DuckDB's own text
/// (exact at any width and precision): every type a source stages arrives as it was.
/// </summary>
public sealed class DuckDbRowAppenderTests : IDisposable
{
    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public DuckDbRowAppenderTests() => connection.Execute("SET TimeZone = 'UTC'");

    public void Dispose() => connection.Dispose();

    /// <summary>Each row of <paramref name="sql"/> as its values' text joined by " | " (NULL for null), in the order given.</summary>
    private List<string> Rows(string sql)
    {
        using var reader = connection.Query(sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : reader.GetString(i))));
        }

        return rows;
    }

    /// <summary>Every column of <paramref name="table"/> cast to VARCHAR, rows ordered by the first column.</summary>
    private List<string> Text(string table)
    {
        var columns = new List<string>();
        using (var reader = connection.Query($"SELECT column_name FROM duckdb_columns() WHERE table_name = '{table}' ORDER BY column_index"))
        {
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }

        return Rows($"SELECT {string.Join(", ", columns.Select(c => $"CAST({Quote.Identifier(c)} AS VARCHAR)"))} FROM {table} ORDER BY 1 NULLS LAST");
    }

    [Fact]
    public void AppendRow_EveryTypeWharfStages_ArrivesExactly()
    {
        connection.Execute("""
            CREATE TABLE t (n INTEGER, b BOOLEAN, i1 TINYINT, i2 SMALLINT, i8 BIGINT, u1 UTINYINT, u2 USMALLINT, u4 UINTEGER, u8 UBIGINT,
                            h HUGEINT, bi HUGEINT, f FLOAT, d DOUBLE, s VARCHAR, x BLOB, u UUID,
                            dt DATE, tm TIME, ts TIMESTAMP, ttz TIMETZ, tstz TIMESTAMPTZ)
            """);
        using (var appender = DuckDbRowAppender.Open(connection, "t"))
        {
            appender.AppendRow(
                1, true, sbyte.MinValue, short.MinValue, long.MaxValue, byte.MaxValue, ushort.MaxValue, uint.MaxValue, ulong.MaxValue,
                Int128.MaxValue, -(BigInteger)Int128.MaxValue, 1.5f, 0.1,
                "ünïcödé, \"quoted\" and longer than twelve bytes", new byte[] { 0, 255, 16, 65 }, Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                new DateOnly(2024, 2, 29), new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9_999_990)), new DateTime(2024, 1, 2, 3, 4, 5).AddTicks(10),
                new DateTimeOffset(1, 1, 1, 10, 20, 30, 500, TimeSpan.FromMinutes(-210)).AddTicks(10),
                new DateTimeOffset(2000, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(10));
            appender.AppendRow(
                2, false, sbyte.MaxValue, short.MaxValue, long.MinValue, byte.MinValue, ushort.MinValue, uint.MinValue, ulong.MinValue,
                -Int128.MaxValue, BigInteger.Zero, float.NegativeInfinity, double.NaN,
                "", Array.Empty<byte>(), Guid.Empty, new DateOnly(1, 1, 1), TimeOnly.MinValue, new DateTime(1, 1, 1),
                new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990));
            appender.AppendRow(3, null, null, null, null, null, null, null, null, null, DBNull.Value, null, null, null, null, null, null, null, null, null, null);
            appender.Complete();
        }

        Text("t").ShouldBe([
            "1 | true | -128 | -32768 | 9223372036854775807 | 255 | 65535 | 4294967295 | 18446744073709551615 | " +
            "170141183460469231731687303715884105727 | -170141183460469231731687303715884105727 | 1.5 | 0.1 | " +
            "ünïcödé, \"quoted\" and longer than twelve bytes | \\x00\\xFF\\x10A | a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 | " +
            "2024-02-29 | 23:59:59.999999 | 2024-01-02 03:04:05.000001 | 10:20:30.500001-03:30 | 2000-01-01 10:00:00.000001+00",
            // .NET's double.NaN has its sign bit set, and DuckDB prints it.
            "2 | false | 127 | 32767 | -9223372036854775808 | 0 | 0 | 0 | 0 | -170141183460469231731687303715884105727 | 0 | -inf | -nan | " +
            " |  | 00000000-0000-0000-0000-000000000000 | 0001-01-01 | 00:00:00 | 0001-01-01 00:00:00 | 00:00:00+00 | 1969-12-31 23:59:59.999999+00",
            "3 | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL | NULL",
        ]);
    }

    [Fact]
    public void AppendRow_DoubleAndFloat_KeepEveryBit()
    {
        connection.Execute("CREATE TABLE t (d DOUBLE, f FLOAT)");
        using (var appender = DuckDbRowAppender.Open(connection, "t"))
        {
            appender.AppendRow(1.0 / 3, 1.0f / 3);
            appender.AppendRow(double.Epsilon, float.Epsilon);
            appender.Complete();
        }

        using var reader = connection.Query("SELECT d, f FROM t ORDER BY d DESC");
        reader.Read().ShouldBeTrue();
        BitConverter.DoubleToInt64Bits(reader.GetDouble(0)).ShouldBe(BitConverter.DoubleToInt64Bits(1.0 / 3));
        BitConverter.SingleToInt32Bits(reader.GetFloat(1)).ShouldBe(BitConverter.SingleToInt32Bits(1.0f / 3));
        reader.Read().ShouldBeTrue();
        BitConverter.DoubleToInt64Bits(reader.GetDouble(0)).ShouldBe(BitConverter.DoubleToInt64Bits(double.Epsilon));
        BitConverter.SingleToInt32Bits(reader.GetFloat(1)).ShouldBe(BitConverter.SingleToInt32Bits(float.Epsilon));
    }

    [Fact]
    public void AppendRow_ManyChunksOfRows_AllArrive()
    {
        connection.Execute("CREATE TABLE t (id BIGINT, name VARCHAR)");
        using (var appender = DuckDbRowAppender.Open(connection, "t"))
        {
            for (long i = 0; i < 10_007; i++)
            {
                appender.AppendRow(i, $"name {i}");
            }

            appender.Complete();
        }

        Rows("SELECT CAST(count(*) AS VARCHAR), CAST(sum(id) AS VARCHAR), max(name) FILTER (WHERE id = 10006) FROM t").ShouldBe(["10007 | 50065021 | name 10006"]);
    }

    [Fact]
    public void AppendReader_CopiesEveryRowOfAnotherDatabasesResult()
    {
        connection.Execute("CREATE TABLE target (id BIGINT, name VARCHAR, amount BIGINT)");
        using var source = DuckDbConnections.Open(null);
        using var reader = source.Query("SELECT i, 'name ' || i, i * 3 FROM range(10007) t(i)");
        using (var appender = DuckDbRowAppender.Open(connection, "target"))
        {
            appender.AppendReader(reader, TestContext.Current.CancellationToken).ShouldBe(10007);
            appender.Complete();
        }

        Rows("SELECT CAST(count(*) AS VARCHAR), CAST(sum(id) AS VARCHAR), CAST(sum(amount) AS VARCHAR) FROM target").ShouldBe(["10007 | 50065021 | 150195063"]);
    }

    [Fact]
    public void AppendRow_AValueOfATypeWharfDoesNotStage_IsAnArgumentExceptionNamingTheType()
    {
        connection.Execute("CREATE TABLE t (v VARCHAR)");
        using var appender = DuckDbRowAppender.Open(connection, "t");

        Should.Throw<ArgumentException>(() => appender.AppendRow(new Uri("https://example.com/"))).Message.ShouldContain(nameof(Uri));
    }

    [Fact]
    public void AppendRow_WithTooFewValues_FailsAndAppendsNothingOfIt()
    {
        connection.Execute("CREATE TABLE t (id BIGINT, name VARCHAR)");
        using (var appender = DuckDbRowAppender.Open(connection, "t"))
        {
            appender.AppendRow(1L, "one");
            Should.Throw<ArgumentException>(() => appender.AppendRow(2L)).Message.ShouldContain("2 columns");
            appender.Complete();
        }

        Text("t").ShouldBe(["1 | one"]);
    }

    [Fact]
    public void Open_ForAMissingTable_FailsWithADuckDbExceptionNamingIt()
    {
        var error = Should.Throw<DuckDbException>(() =>
        {
            using var appender = DuckDbRowAppender.Open(connection, "missing_table");
            appender.AppendRow(1L);
            appender.Complete();
        });

        error.Message.ShouldContain("missing_table");
    }

    [Fact]
    public void Open_OnATableWithADecimalColumn_IsRefused()
    {
        // Decimals are staged as checked text (ExactDecimal); appending a .NET decimal could round.
        connection.Execute("CREATE TABLE t (m DECIMAL(5,2))");

        Should.Throw<NotSupportedException>(() => DuckDbRowAppender.Open(connection, "t")).Message.ShouldContain("column 1");
    }

    [Fact]
    public void AppendRow_AnIntegerThatDoesNotFitItsColumn_IsRefusedWithTheColumn_AndTheRowIsForgotten()
    {
        connection.Execute("CREATE TABLE t (a INTEGER, b SMALLINT)");
        using (var appender = DuckDbRowAppender.Open(connection, "t"))
        {
            var error = Should.Throw<ArgumentException>(() => appender.AppendRow(null, 70_000));
            error.Message.ShouldContain("column 2");
            error.InnerException.ShouldBeOfType<OverflowException>();

            // The failed row's NULL in column a must not stick to the next row written in its place.
            appender.AppendRow(1, (short)2);
            appender.AppendRow(3L, (byte)4);
            appender.Complete();
        }

        Text("t").ShouldBe(["1 | 2", "3 | 4"]);
    }

    [Fact]
    public void AppendRow_NullsInEveryChunk_StayWhereTheyWere()
    {
        connection.Execute("CREATE TABLE t (id BIGINT, v VARCHAR)");
        using (var appender = DuckDbRowAppender.Open(connection, "t"))
        {
            for (long i = 0; i < 5000; i++)
            {
                appender.AppendRow(i, i % 3 == 0 ? null : "v" + i);
            }

            appender.Complete();
        }

        Rows("SELECT CAST(count(*) FILTER (WHERE (v IS NULL) <> (id % 3 = 0)) AS VARCHAR), CAST(count(v) AS VARCHAR) FROM t").ShouldBe(["0 | 3333"]);
    }
}
