using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

public sealed class DuckDbAppenderTests : IDisposable
{
    private readonly DuckDbDatabase database = DuckDbDatabase.Open(null);
    private readonly DuckDbConnection connection;

    public DuckDbAppenderTests() => connection = database.Connect();

    public void Dispose()
    {
        connection.Dispose();
        database.Dispose();
    }

    [Fact]
    public void AppendRow_WritesEveryScalarTypeExactly()
    {
        connection.Execute("""
            create table t (b boolean, i int, l bigint, h hugeint, d double, m decimal(12,3), big decimal(30,4), s varchar, x blob,
                            dt date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid)
            """);
        var uuid = Guid.NewGuid();
        using (var appender = connection.CreateAppender(null, "t"))
        {
            appender.AppendRow(true, 1, 2L, (Int128)3, 4.5, 123456789.123m, 12345678901234567890.1234m, "long text with ünïcödé, more than 12 bytes",
                new byte[] { 9, 8 }, new DateOnly(1999, 12, 31), new TimeOnly(1, 2, 3), new DateTime(2000, 1, 1, 0, 0, 0).AddTicks(10),
                new DateTimeOffset(2000, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)), new DuckDbInterval(1, 2, 3), uuid);
            appender.AppendRow(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
            appender.Close();
        }

        connection.Execute("set TimeZone = 'UTC'");
        using var reader = connection.Query("select * from t order by i nulls last");
        reader.Read().ShouldBeTrue();
        reader.GetBoolean(0).ShouldBeTrue();
        reader.GetInt32(1).ShouldBe(1);
        reader.GetInt64(2).ShouldBe(2);
        reader.GetValue(3).ShouldBe((Int128)3);
        reader.GetDouble(4).ShouldBe(4.5);
        reader.GetDecimal(5).ShouldBe(123456789.123m);
        reader.GetDecimal(6).ShouldBe(12345678901234567890.1234m);
        reader.GetString(7).ShouldBe("long text with ünïcödé, more than 12 bytes");
        reader.GetValue(8).ShouldBe(new byte[] { 9, 8 });
        reader.GetValue(9).ShouldBe(new DateOnly(1999, 12, 31));
        reader.GetValue(10).ShouldBe(new TimeOnly(1, 2, 3));
        reader.GetDateTime(11).ShouldBe(new DateTime(2000, 1, 1).AddTicks(10));
        reader.GetDateTime(12).ShouldBe(new DateTime(2000, 1, 1, 10, 0, 0, DateTimeKind.Utc));
        reader.GetValue(13).ShouldBe(new DuckDbInterval(1, 2, 3));
        reader.GetGuid(14).ShouldBe(uuid);
        reader.Read().ShouldBeTrue();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            reader.IsDBNull(i).ShouldBeTrue();
        }
    }

    [Fact]
    public void AppendReader_CopiesManyChunksFromAnotherResult()
    {
        connection.Execute("create table target (id bigint, name varchar, amount decimal(10,2))");
        using var source = DuckDbDatabase.Open(null);
        using var sourceConnection = source.Connect();
        using var reader = sourceConnection.Query("select i, 'name ' || i, (i / 100)::decimal(10,2) from range(10007) t(i)");
        using (var appender = connection.CreateAppender(null, "target"))
        {
            appender.AppendReader(reader, TestContext.Current.CancellationToken).ShouldBe(10007);
            appender.Close();
        }

        connection.Scalar("select count(*) from target").ShouldBe(10007L);
        connection.Scalar("select sum(id) from target").ShouldBe((Int128)50_065_021);
        connection.Scalar("select name from target where id = 10006").ShouldBe("name 10006");
    }

    [Fact]
    public void Decimal_WithTooManyPlaces_IsRejectedNotRounded()
    {
        connection.Execute("create table d (m decimal(5,2))");
        using var appender = connection.CreateAppender(null, "d");
        Should.Throw<DuckDbException>(() => appender.AppendRow(1.234m)).Message.ShouldContain("decimal places");
        Should.Throw<DuckDbException>(() => appender.AppendRow(1234.5m)).Message.ShouldContain("does not fit");
    }

    [Fact]
    public void MissingTable_ErrorNamesIt()
    {
        Should.Throw<DuckDbException>(() => connection.CreateAppender("main", "missing")).Message.ShouldContain("main.missing");
    }
}
