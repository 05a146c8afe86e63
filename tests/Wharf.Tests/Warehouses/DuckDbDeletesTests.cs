using System.Collections.Immutable;
using System.Globalization;
using DuckDB.NET.Data;
using Wharf.Dialects;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Staging;
using Wharf.Warehouses;
using Wharf.Warehouses.DuckDb;

namespace Wharf.Tests.Warehouses;

/// <summary>
/// Delete detection in the DuckDB warehouse, given the source's keys as lake files: by key
/// summary (single integer keys) or by the keys themselves, in one pass or several.
/// </summary>
public sealed class DuckDbDeletesTests : IDisposable
{
    private static readonly DateTimeOffset Started = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private const string LoadedAt = "TIMESTAMPTZ '2026-01-02 03:04:05+00'";

    /// <summary>Keys at the edges of 32-key buckets, negative ones, and the extremes of BIGINT.</summary>
    private static readonly long[] EdgeKeys = [long.MinValue, long.MinValue + 31, -33, -32, -31, -1, 0, 1, 31, 32, 33, 63, 64, 1_000_000, long.MaxValue - 31, long.MaxValue];

    private readonly DirectoryInfo lake = Directory.CreateTempSubdirectory("wharf-deletes-");
    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);
    private int part;

    public DuckDbDeletesTests()
    {
        connection.Execute("CREATE SCHEMA raw");
    }

    public void Dispose()
    {
        connection.Dispose();
        lake.Delete(recursive: true);
    }

    public static TheoryData<long> PassSizes() => [1, 3, DeleteDetection.PassRows];

    [Theory]
    [MemberData(nameof(PassSizes))]
    public async Task Summary_KeysAtBucketEdges_DeletesExactlyTheKeysTheSourceLacks(long passRows)
    {
        Table("id BIGINT, name VARCHAR", EdgeKeys.Select(k => $"({Sql(k)}, 'n')"));
        long[] gone = [long.MinValue, -32, -1, 31, 64, long.MaxValue];

        // The source also has a key the table never got (inserted after the cursor read it): no matter.
        var present = await SummaryAsync("BIGINT", [.. EdgeKeys.Except(gone), 5_000]);
        (await DeleteAsync(present, ["id"], passRows)).ShouldBe(gone.Length);

        Keys("id").ShouldBe([.. EdgeKeys.Except(gone).Order()]);
    }

    [Theory]
    [MemberData(nameof(PassSizes))]
    public async Task Summary_EmptySource_DeletesEveryRow(long passRows)
    {
        Table("id INTEGER, name VARCHAR", Enumerable.Range(-40, 100).Select(k => $"({k}, 'n')"));
        var present = await SummaryAsync("INTEGER", []);
        (await DeleteAsync(present, ["id"], passRows)).ShouldBe(100);
        Keys("id").ShouldBeEmpty();
    }

    [Fact]
    public async Task Summary_SourceSplitInRanges_CombinesTheRowsOfABucket()
    {
        Table("id BIGINT", Enumerable.Range(0, 64).Select(k => $"({k})"));

        // Two parts whose ranges cut bucket 0 (keys 0..31) in two: neither alone has all its keys.
        var present = (await SummaryAsync("BIGINT", [.. Enumerable.Range(0, 10).Select(k => (long)k)]))
            .AddRange(await SummaryAsync("BIGINT", [.. Enumerable.Range(10, 50).Select(k => (long)k)]));
        (await DeleteAsync(present, ["id"], DeleteDetection.PassRows)).ShouldBe(4);
        Keys("id").ShouldBe([.. Enumerable.Range(0, 60).Select(k => (long)k)]);
    }

    [Fact]
    public async Task Summary_SoftDeletes_MarkOnlyRowsNotMarkedYet()
    {
        Table("id BIGINT, _wharf_deleted_at TIMESTAMPTZ", ["(1, NULL)", "(2, NULL)", "(3, TIMESTAMPTZ '2025-01-01 00:00:00+00')", "(4, NULL)"]);
        var present = await SummaryAsync("BIGINT", [1]);
        (await DeleteAsync(present, ["id"], DeleteDetection.PassRows, DeleteMode.Soft)).ShouldBe(2);
        Rows($"SELECT id, _wharf_deleted_at = {LoadedAt} FROM raw.t ORDER BY id").ShouldBe(["1 NULL", "2 True", "3 False", "4 True"]);
    }

    [Theory]
    [MemberData(nameof(PassSizes))]
    public async Task Summary_Scd2_ClosesOnlyCurrentVersions(long passRows)
    {
        Table("id BIGINT, v VARCHAR, _wharf_valid_from TIMESTAMPTZ, _wharf_valid_to TIMESTAMPTZ, _wharf_is_current BOOLEAN",
        [
            "(1, 'old', TIMESTAMPTZ '2025-01-01 00:00:00+00', TIMESTAMPTZ '2025-06-01 00:00:00+00', FALSE)",
            "(1, 'new', TIMESTAMPTZ '2025-06-01 00:00:00+00', NULL, TRUE)",
            "(2, 'x', TIMESTAMPTZ '2025-01-01 00:00:00+00', NULL, TRUE)",
        ]);
        var present = await SummaryAsync("BIGINT", [2]);
        (await DeleteAsync(present, ["id"], passRows, mode: WriteMode.Scd2)).ShouldBe(1);
        Rows($"SELECT id, v, _wharf_valid_to = {LoadedAt}, _wharf_is_current FROM raw.t ORDER BY id, v").ShouldBe(
            ["1 new True False", "1 old False False", "2 x NULL True"]);
    }

    [Theory]
    [MemberData(nameof(PassSizes))]
    public async Task Keys_CompositeTextKey_DeletesExactlyTheKeysTheSourceLacks(long passRows)
    {
        string[] table = ["('a', 1)", "('a', 2)", "('', 1)", "('é—\"x', 1)", "('b', -5)", "('B', -5)"];
        Table("code VARCHAR, n BIGINT", table);

        // The key files hold n as INTEGER: each pass must still hash it as the table's BIGINT.
        var present = await KeysAsync("SELECT * FROM (VALUES ('a', 2), ('', 1), ('B', -5), ('zz', 9)) AS v(code, n)", "code, CAST(n AS INTEGER) AS n");
        (await DeleteAsync(present, ["code", "n"], passRows)).ShouldBe(3);
        Rows("SELECT code, n FROM raw.t ORDER BY code, n").ShouldBe([" 1", "B -5", "a 2"]);
    }

    [Theory]
    [MemberData(nameof(PassSizes))]
    public async Task Keys_EmptySource_DeletesEveryRow(long passRows)
    {
        Table("code VARCHAR", ["('x')", "('y')", "('z')"]);
        var present = await KeysAsync("SELECT CAST(NULL AS VARCHAR) AS code WHERE FALSE", "code");
        (await DeleteAsync(present, ["code"], passRows)).ShouldBe(3);
        Rows("SELECT code FROM raw.t").ShouldBeEmpty();
    }

    /// <summary>
    /// Known keys (the previous summary, and a data file this run loaded) stand in for the table:
    /// a key among them that the source lacks is deleted, a table row outside them is not even
    /// looked at, and a known key the table never got deletes nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(PassSizes))]
    public async Task KnownKeys_DeleteTheKnownKeysTheSourceLacks_WithoutReadingTheTable(long passRows)
    {
        Table("id BIGINT, name VARCHAR", [.. EdgeKeys.Select(k => $"({Sql(k)}, 'n')"), "(12345, 'not known')"]);
        long[] loadedNow = [63, long.MaxValue];
        var previous = await SummaryAsync("BIGINT", [.. EdgeKeys.Except(loadedNow), 7_000]);
        var loaded = await KeysAsync($"SELECT * FROM (VALUES {string.Join(", ", loadedNow.Select(k => $"({Sql(k)}, 'n')"))}) AS v(id, name)", "id, name");
        long[] gone = [long.MinValue, -32, 31, 63, long.MaxValue, 7_000, 12345];

        var present = await SummaryAsync("BIGINT", [.. EdgeKeys.Except(gone), 5_000]);
        (await DeleteAsync(present, ["id"], passRows, known: new KnownKeys(previous, loaded))).ShouldBe(5, "7,000 was never in the table, 12,345 is not known");

        Keys("id").ShouldBe([.. EdgeKeys.Except(gone).Append(12345).Order()]);
    }

    [Fact]
    public async Task Summary_ManyPasses_DeletesExactlyTheKeysTheSourceLacks()
    {
        connection.Execute("CREATE TABLE raw.t AS SELECT i * 3 - 5000 AS id FROM range(20000) AS r(i)");
        var present = await WriteManyAsync(KeySummary.Select("id", "raw.t", "id % 997 <> 0"));
        var expected = Keys("id").Where(k => k % 997 != 0).ToList();
        (await DeleteAsync(present, ["id"], passRows: 50)).ShouldBe(20000 - expected.Count);
        Keys("id").ShouldBe(expected);
    }

    [Fact]
    public async Task Keys_ManyPassesOfTextKeys_DeletesExactlyTheKeysTheSourceLacks()
    {
        connection.Execute("CREATE TABLE raw.t AS SELECT 'key-' || CAST(hash(i) AS VARCHAR) AS code, i FROM range(20000) AS r(i)");
        var present = await WriteManyAsync("SELECT code FROM raw.t WHERE i % 101 <> 0");
        var expected = Rows("SELECT code FROM raw.t WHERE i % 101 <> 0 ORDER BY code");
        (await DeleteAsync(present, ["code"], passRows: 700)).ShouldBe(20000 - expected.Count);
        Rows("SELECT code FROM raw.t ORDER BY code").ShouldBe(expected);
    }

    /// <summary>The relation in three lake files, as a source split in key ranges writes it.</summary>
    private async Task<ImmutableArray<LakeManifest>> WriteManyAsync(string relation)
    {
        connection.Execute($"CREATE TEMP TABLE keys_written AS {relation}");
        var parts = ImmutableArray.CreateBuilder<LakeManifest>();
        for (var i = 0; i < 3; i++)
        {
            parts.Add(await WriteAsync($"SELECT * EXCLUDE (n) FROM (SELECT *, row_number() OVER () AS n FROM keys_written) WHERE n % 3 = {i}"));
        }

        return parts.ToImmutable();
    }

    private void Table(string columns, IEnumerable<string> rows)
    {
        connection.Execute($"CREATE TABLE raw.t ({columns})");
        connection.Execute($"INSERT INTO raw.t VALUES {string.Join(", ", rows)}");
    }

    private static string Sql(long value) => value == long.MinValue
        ? "CAST(-9223372036854775808 AS BIGINT)"
        : $"CAST({value.ToString(CultureInfo.InvariantCulture)} AS BIGINT)";

    /// <summary>A summary lake file of these keys, as a source writes it.</summary>
    private async Task<ImmutableArray<LakeManifest>> SummaryAsync(string type, long[] keys)
    {
        var values = keys.Length == 0
            ? $"(SELECT CAST(NULL AS {type}) AS id WHERE FALSE) AS v"
            : $"(SELECT CAST(id AS {type}) AS id FROM (VALUES {string.Join(", ", keys.Select(k => $"({Sql(k)})"))}) AS x(id)) AS v";
        return [await WriteAsync(KeySummary.Select("id", values))];
    }

    /// <summary>A lake file of keys (<paramref name="projection"/> over <paramref name="rows"/>), as a source writes it.</summary>
    private async Task<ImmutableArray<LakeManifest>> KeysAsync(string rows, string projection) =>
        [await WriteAsync($"SELECT {projection} FROM ({rows}) AS r")];

    private Task<LakeManifest> WriteAsync(string relation) =>
        new LakeWriter(new LakeLayout(lake.FullName), TimeProvider.System)
            .WriteAsync(connection, new LakeTarget("p", "t.keys", "run1", Started, part++), relation, [], TestContext.Current.CancellationToken);

    private async Task<long> DeleteAsync(
        ImmutableArray<LakeManifest> present, IReadOnlyList<string> key, long passRows, DeleteMode deletes = DeleteMode.Hard, WriteMode mode = WriteMode.Merge, KnownKeys? known = null)
    {
        var record = new RunRecord { RunId = "run1", Pipeline = "p", Stream = "t", Source = "test", Target = "raw.t", Mode = "merge", StartedAt = Started };
        var request = new LoadRequest("raw", "t", mode, [], lake.FullName, record)
        {
            PrimaryKey = key,
            LoadedAt = Started,
            PresentKeys = present,
            KnownKeys = known,
            Deletes = deletes,
        };
        return await DuckDbDeletes.ApplyAsync(connection, request, TableWrite.For(request, SqlDialect.DuckDb), present, TestContext.Current.CancellationToken, passRows);
    }

    private List<long> Keys(string column) => [.. Rows($"SELECT {column} FROM raw.t ORDER BY 1").Select(r => long.Parse(r, CultureInfo.InvariantCulture))];

    private List<string> Rows(string sql)
    {
        using var reader = connection.Query(sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
