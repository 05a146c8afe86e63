using System.Collections.Immutable;
using System.Globalization;
using DuckDB.NET.Data;
using Npgsql;
using Wharf.Dialects;
using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Staging;
using Wharf.Warehouses;
using Wharf.Warehouses.Postgres;

namespace Wharf.IntegrationTests.Warehouses;

/// <summary>
/// Delete detection in the PostgreSQL warehouse given a source's key summary: keys at the edges of
/// 32-key buckets and of BIGINT, with the table's summary made in the load's transaction or in
/// parallel on other connections.
/// </summary>
public sealed class PostgresDeletesTests(PostgresServer postgres) : IDisposable
{
    private static readonly DateTimeOffset Started = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static readonly long[] EdgeKeys = [long.MinValue, long.MinValue + 31, -33, -32, -31, -1, 0, 1, 31, 32, 33, 63, 64, 1_000_000, long.MaxValue - 31, long.MaxValue];

    private readonly DirectoryInfo lake = Directory.CreateTempSubdirectory("wharf-pg-deletes-");
    private readonly DuckDBConnection workDatabase = DuckDbConnections.Open(null);

    /// <summary>Another connection to the in-memory work area, as the warehouse's parallel passes open them (DuckDB.NET duplicates it closed).</summary>
    private DuckDBConnection OpenWorkArea()
    {
        var connection = workDatabase.Duplicate();
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        workDatabase.Dispose();
        lake.Delete(recursive: true);
    }

    public static TheoryData<bool, string> Cases() => new()
    {
        { false, "hard" },
        { true, "hard" },
        { true, "soft" },
        { true, "scd2" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Summary_DeletesExactlyTheKeysTheSourceLacks(bool parallel, string deletes)
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        long[] table = [.. EdgeKeys, .. Enumerable.Range(100, 3000).Select(i => (long)i * 7)];
        long[] gone = [long.MinValue, -32, -1, 31, 64, long.MaxValue, 700, 707, 21_693];
        var extra = deletes switch
        {
            "soft" => ", _wharf_deleted_at timestamptz",
            "scd2" => ", _wharf_valid_from timestamptz, _wharf_valid_to timestamptz, _wharf_is_current boolean",
            _ => "",
        };
        var values = deletes == "scd2" ? ", now(), NULL, TRUE" : deletes == "soft" ? ", NULL" : "";
        await ExecuteAsync(warehouse, $"""
            CREATE SCHEMA raw;
            CREATE TABLE raw.t (id bigint NOT NULL, name text{extra});
            INSERT INTO raw.t SELECT k, 'n'{values} FROM unnest(ARRAY[{string.Join(", ", table.Select(Sql))}]) AS k;
            ANALYZE raw.t;
            """);
        var present = await SummaryAsync([.. table.Except(gone), 5, 99_999]);
        var request = Request(present, deletes);

        await using var connection = new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            using var workArea = OpenWorkArea();
            var deleted = await PostgresDeletes.ApplyAsync(connection, workArea, request, TableWrite.For(request, SqlDialect.Postgres), present, ct, parallelRows: parallel ? 0 : long.MaxValue);
            deleted.ShouldBe(gone.Length);
            await transaction.CommitAsync(ct);
        }

        var live = deletes switch { "soft" => "_wharf_deleted_at IS NULL", "scd2" => "_wharf_is_current", _ => "TRUE" };
        (await KeysAsync(connection, $"SELECT id FROM raw.t WHERE {live} ORDER BY id")).ShouldBe([.. table.Except(gone).Order()]);
        (await KeysAsync(connection, "SELECT count(*) FROM raw.t")).ShouldBe([deletes == "hard" ? table.Length - gone.Length : table.Length]);
    }

    [Fact]
    public async Task ParallelTableSummary_HoldsEveryLiveKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        await ExecuteAsync(warehouse, $"""
            CREATE SCHEMA raw;
            CREATE TABLE raw.t (id integer PRIMARY KEY, _wharf_deleted_at timestamptz);
            INSERT INTO raw.t SELECT i, CASE WHEN i % 10 = 0 THEN now() END FROM generate_series(-1000, 20000) AS i;
            ANALYZE raw.t;
            """);
        var present = await SummaryAsync([1]);
        var request = Request(present, "soft");
        await using var connection = new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        (await PostgresTableSummary.TryCopyAsync(connection, request, TableWrite.For(request, SqlDialect.Postgres), "summary", ct, parallelRows: 0)).ShouldBeTrue();

        // Expanded back to keys, the summary is exactly the live keys.
        (await KeysAsync(connection, """
            SELECT s.__wharf_key_bucket * 32 + i FROM summary AS s CROSS JOIN generate_series(0, 31) AS i
            WHERE s.__wharf_key_bits & (1::bigint << i) <> 0 ORDER BY 1
            """)).ShouldBe([.. Enumerable.Range(-1000, 21001).Where(i => i % 10 != 0).Select(i => (long)i)]);
    }

    [Fact]
    public async Task ParallelTableSummary_NotForALoadThatWritesRows()
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        await ExecuteAsync(warehouse, "CREATE SCHEMA raw; CREATE TABLE raw.t (id bigint PRIMARY KEY); ANALYZE raw.t;");
        var present = await SummaryAsync([1]);
        var request = Request(present, "hard");
        await using var connection = new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(ct);

        // Rows this transaction writes are not what other connections see: the summary stays in it.
        (await PostgresTableSummary.TryCopyAsync(connection, request with { Files = present }, TableWrite.For(request, SqlDialect.Postgres), "summary", ct, parallelRows: 0)).ShouldBeFalse();
        (await PostgresTableSummary.TryCopyAsync(connection, request with { Recreate = true }, TableWrite.For(request, SqlDialect.Postgres), "summary", ct, parallelRows: 0)).ShouldBeFalse();
    }

    private LoadRequest Request(ImmutableArray<LakeManifest> present, string deletes)
    {
        var record = new RunRecord { RunId = "run1", Pipeline = "p", Stream = "t", Source = "test", Target = "raw.t", Mode = "merge", StartedAt = Started };
        return new LoadRequest("raw", "t", deletes == "scd2" ? WriteMode.Scd2 : WriteMode.Merge, [], lake.FullName, record)
        {
            PrimaryKey = ["id"],
            LoadedAt = Started,
            PresentKeys = present,
            Deletes = deletes == "soft" ? DeleteMode.Soft : DeleteMode.Hard,
        };
    }

    private static string Sql(long value) => value == long.MinValue
        ? "(-9223372036854775807 - 1)"
        : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A summary lake file of these keys, as a source writes it (in two parts, like a source split in ranges).</summary>
    private async Task<ImmutableArray<LakeManifest>> SummaryAsync(long[] keys)
    {
        using var connection = OpenWorkArea();
        var writer = new LakeWriter(new LakeLayout(lake.FullName), TimeProvider.System);
        var parts = ImmutableArray.CreateBuilder<LakeManifest>();
        foreach (var (half, part) in new[] { (keys.Where((_, i) => i % 2 == 0), 0), (keys.Where((_, i) => i % 2 == 1), 1) })
        {
            var list = half.ToList();
            var values = list.Count == 0
                ? "(SELECT CAST(NULL AS BIGINT) AS id WHERE FALSE) AS v"
                : $"(SELECT CAST(id AS BIGINT) AS id FROM (VALUES {string.Join(", ", list.Select(k => k == long.MinValue ? "(CAST(-9223372036854775808 AS BIGINT))" : $"({k.ToString(CultureInfo.InvariantCulture)})"))}) AS x(id)) AS v";
            parts.Add(await writer.WriteAsync(connection, new LakeTarget("p", "t.keys", "run1", Started, part), KeySummary.Select("id", values), [], TestContext.Current.CancellationToken));
        }

        return parts.ToImmutable();
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<List<long>> KeysAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var keys = new List<long>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            keys.Add(Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return keys;
    }
}
