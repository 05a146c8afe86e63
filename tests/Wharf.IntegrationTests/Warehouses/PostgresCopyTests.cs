using DuckDB.NET.Data;
using Npgsql;
using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;
using Wharf.Warehouses.Postgres;

namespace Wharf.IntegrationTests.Warehouses;

/// <summary>
/// The binary COPY from DuckDB's vectors into PostgreSQL, type by type: every value read in place
/// (fixed widths, inlined and pointed-to strings, lists with NULL elements, the validity mask
/// across chunks) must arrive as PostgreSQL prints the same value.
/// </summary>
public sealed class PostgresCopyTests(PostgresServer postgres) : IDisposable
{
    private readonly DuckDBConnection workArea = DuckDbConnections.Open(null);

    public void Dispose() => workArea.Dispose();

    // DuckDB expression, then PostgreSQL's text of the copied value.
    public static TheoryData<string, string> Values() => new()
    {
        { "true", "true" },
        { "CAST(-7 AS TINYINT)", "-7" },
        { "CAST(250 AS UTINYINT)", "250" },
        { "CAST(-32768 AS SMALLINT)", "-32768" },
        { "CAST(65535 AS USMALLINT)", "65535" },
        { "CAST(-2147483648 AS INTEGER)", "-2147483648" },
        { "CAST(4294967295 AS UINTEGER)", "4294967295" },
        { "CAST(-9223372036854775808 AS BIGINT)", "-9223372036854775808" },
        { "CAST(18446744073709551615 AS UBIGINT)", "18446744073709551615" },
        { "CAST(-170141183460469231731687303715884105727 AS HUGEINT)", "-170141183460469231731687303715884105727" },
        { "CAST(-12.34 AS DECIMAL(4,2))", "-12.34" },
        { "CAST(1234567.89 AS DECIMAL(9,2))", "1234567.89" },
        { "CAST(-123456789012.345678 AS DECIMAL(18,6))", "-123456789012.345678" },
        { "CAST('12345678901234567890123456.789012345678' AS DECIMAL(38,12))", "12345678901234567890123456.789012345678" },
        { "CAST(0 AS DECIMAL(20,5))", "0.00000" },
        { "CAST(1.5 AS FLOAT)", "1.5" },
        { "CAST('-Infinity' AS DOUBLE)", "-Infinity" },
        { "'short'", "short" },
        { "'exactly12byt'", "exactly12byt" },
        { "'a longer string, pointed to: ünïcödé ✓'", "a longer string, pointed to: ünïcödé ✓" },
        { "''", "" },
        { "CAST('{\"a\": [1, 2]}' AS JSON)", "{\"a\": [1, 2]}" },
        { "CAST('\\x00\\xFF\\x10' AS BLOB)", "\\x00ff10" },
        { "DATE '2024-02-29'", "2024-02-29" },
        { "DATE '4713-01-01 (BC)'", "4713-01-01 BC" },
        { "DATE 'infinity'", "infinity" },
        { "TIME '23:59:59.999999'", "23:59:59.999999" },
        { "CAST('10:00:00+05:30' AS TIMETZ)", "10:00:00+05:30" },
        { "CAST('23:15:01.5-08' AS TIMETZ)", "23:15:01.5-08" },
        { "TIMESTAMP '2024-01-01 00:00:00.000001'", "2024-01-01 00:00:00.000001" },
        { "TIMESTAMP '-infinity'", "-infinity" },
        { "CAST(TIMESTAMP '2024-05-06 07:08:09' AS TIMESTAMP_S)", "2024-05-06 07:08:09" },
        { "CAST(TIMESTAMP '2024-05-06 07:08:09.123' AS TIMESTAMP_MS)", "2024-05-06 07:08:09.123" },
        { "CAST('2024-05-06 07:08:09.123456000' AS TIMESTAMP_NS)", "2024-05-06 07:08:09.123456" }, // whole microseconds: a value with nanoseconds is refused (DuckDbSourceTests)
        { "TIMESTAMPTZ '1999-12-31 23:59:59.999999+00'", "1999-12-31 23:59:59.999999+00" },
        { "INTERVAL '1 year 2 months 3 days 04:05:06.000007'", "1 year 2 mons 3 days 04:05:06.000007" },
        { "-INTERVAL '1 day 1 microsecond'", "-1 days -00:00:00.000001" },
        { "CAST('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' AS UUID)", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" },
        { "CAST('00000000-0000-0000-0000-000000000001' AS UUID)", "00000000-0000-0000-0000-000000000001" },
        { "CAST('ffffffff-ffff-ffff-ffff-ffffffffffff' AS UUID)", "ffffffff-ffff-ffff-ffff-ffffffffffff" },
        { "CAST('happy' AS ENUM('sad', 'happy'))", "happy" },
        { "[1, NULL, 3]", "{1,NULL,3}" },
        { "CAST([] AS INTEGER[])", "{}" },
        { "['x', 'y,z', NULL, '', 'a string longer than twelve']", "{x,\"y,z\",NULL,\"\",\"a string longer than twelve\"}" },
        { "[CAST(1.10 AS DECIMAL(6,2)), -2.25]", "{1.10,-2.25}" },
        { "[CAST('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' AS UUID)]", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}" },
        { "[true, NULL]", "{t,NULL}" },
        { "{'k': 1, 's': 'v'}", "{\"k\": 1, \"s\": \"v\"}" },
        { "[[1, 2], [3]]", "[[1, 2], [3]]" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Value_ArrivesAsPostgresPrintsIt(string duckDb, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await OpenNewDatabaseAsync();

        // The value, then a NULL of its type: both rows read from one chunk.
        using var source = PostgresColumn.Query(workArea, $"SELECT v FROM (SELECT 1 AS o, {duckDb} AS v UNION ALL SELECT 2, NULL) ORDER BY o");
        await Execute(connection, $"CREATE TABLE t (v {source.Columns[0].Type})");
        (await PostgresWarehouse.CopyAsync(connection, "t", source, ct)).ShouldBe(2);

        await using var command = new NpgsqlCommand("SELECT v::text FROM t", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        reader.Read().ShouldBeTrue();
        reader.GetString(0).ShouldBe(expected);
        reader.Read().ShouldBeTrue();
        reader.IsDBNull(0).ShouldBeTrue();
    }

    [Fact]
    public async Task ManyChunks_KeepEveryRowAndEveryNull()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await OpenNewDatabaseAsync();

        using var source = PostgresColumn.Query(workArea, """
            SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'row ' || i || repeat('x', i % 20) END AS s,
                   CASE WHEN i % 3 = 0 THEN NULL ELSE CAST(i AS DECIMAL(12,2)) + 0.25 END AS d
            FROM range(10000) t(i)
            """);
        await Execute(connection, $"CREATE TABLE t (i {source.Columns[0].Type}, s {source.Columns[1].Type}, d {source.Columns[2].Type})");
        (await PostgresWarehouse.CopyAsync(connection, "t", source, ct)).ShouldBe(10000);

        await using var command = new NpgsqlCommand("""
            SELECT count(*), count(s), count(d), sum(length(s)), sum(d),
                   count(*) FILTER (WHERE s IS DISTINCT FROM CASE WHEN i % 7 = 0 THEN NULL ELSE 'row ' || i || repeat('x', (i % 20)::int) END)
            FROM t
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        reader.Read().ShouldBeTrue();
        reader.GetInt64(0).ShouldBe(10000);
        reader.GetInt64(1).ShouldBe(10000 - 1429);
        reader.GetInt64(2).ShouldBe(10000 - 3334);
        reader.GetDecimal(4).ShouldBe(Enumerable.Range(0, 10000).Where(i => i % 3 != 0).Sum(i => i + 0.25m));
        reader.GetInt64(5).ShouldBe(0);
    }

    [Fact]
    public async Task ErrorInALaterChunk_FailsTheCopy_AndNoRowArrives()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await OpenNewDatabaseAsync();
        await Execute(connection, "CREATE TABLE t (v integer)");

        // One thread and a small stream buffer compute the result chunk by chunk, as the COPY reads it:
        // the error comes after good chunks were already sent.
        workArea.Execute("SET threads = 1; SET streaming_buffer_size = '1kB'");
        using var source = PostgresColumn.Query(workArea, "SELECT CASE WHEN i < 50000 THEN CAST(i AS INTEGER) ELSE CAST('x' || i AS INTEGER) END AS v FROM range(100000) t(i)");
        var error = await Should.ThrowAsync<DuckDbException>(() => PostgresWarehouse.CopyAsync(connection, "t", source, ct));

        error.Message.ShouldContain("x50000");
        await using var count = new NpgsqlCommand("SELECT count(*) FROM t", connection);
        (await count.ExecuteScalarAsync(ct)).ShouldBe(0L);
    }

    private async Task<NpgsqlConnection> OpenNewDatabaseAsync()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
