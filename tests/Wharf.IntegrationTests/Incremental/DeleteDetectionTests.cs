using System.Collections.Immutable;
using System.Text.Json;
using Wharf.IntegrationTests.Postgres;
using Wharf.Lake;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// Delete detection with a cursor, by key type: a single integer key travels as a key summary
/// (keys at the edges of its 32-key buckets and of the type's range), other keys (text,
/// composite) as the keys themselves. After every run the table holds exactly the source's keys,
/// on both warehouses; a replay from the lake alone rebuilds the same table.
/// </summary>
public sealed class DeleteDetectionTests(PostgresServer postgres)
{
    public static TheoryData<string, WarehouseUnderTest> KeyTypes()
    {
        var data = new TheoryData<string, WarehouseUnderTest>();
        foreach (var type in new[] { "smallint", "integer", "bigint", "text", "composite" })
        {
            data.Add(type, WarehouseUnderTest.DuckDb);
            data.Add(type, WarehouseUnderTest.Postgres);
        }

        return data;
    }

    /// <summary>Keys at bucket edges, negative ones and the extremes of each integer type.</summary>
    private static long[] Keys(string type) => type switch
    {
        "smallint" => [short.MinValue, -33, -32, -1, 0, 31, 32, 63, 64, short.MaxValue - 31, short.MaxValue],
        "integer" => [int.MinValue, -33, -32, -1, 0, 31, 32, 63, 64, 1_000_000, int.MaxValue],
        _ => [long.MinValue, long.MinValue + 31, -33, -32, -1, 0, 31, 32, 63, 64, 1_000_000, long.MaxValue - 31, long.MaxValue],
    };

    private static string Table(string type) => type switch
    {
        "text" => "create table items (code text primary key, updated_at timestamptz);",
        "composite" => "create table items (code text, n bigint, updated_at timestamptz, primary key (code, n));",
        _ => $"create table items (id {type} primary key, updated_at timestamptz);",
    };

    private static string Key(string type) => type switch { "text" => "code", "composite" => "code, n", _ => "id" };

    /// <summary>The key values of <paramref name="keys"/> in this type, as SQL rows.</summary>
    private static string Rows(string type, IEnumerable<long> keys, string time) => string.Join(", ", keys.Select(k => type switch
    {
        "text" => $"('key {k}', '{time}')",
        "composite" => $"('key {k % 3}', {Literal(k)}, '{time}')",
        _ => $"({Literal(k)}, '{time}')",
    }));

    private static string Literal(long value) => value == long.MinValue ? "(-9223372036854775807 - 1)" : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public async Task Deletes_OfEveryKeyType_LeaveExactlyTheSourcesKeys_AndReplayTheSame(string type, WarehouseUnderTest warehouse)
    {
        var keys = Keys(type);
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse,
            Table(type) + $"insert into items values {Rows(type, keys, "2026-01-01 00:00:00+00")};");
        project.Configure("mode: merge\ncursor: updated_at\ndetect_deletes: true");
        await RunAndCompareAsync(project, type);

        // Deletes at both ends of the range and at bucket edges, a new key, then one back.
        var gone = new[] { keys[0], keys[2], keys[^1], 31L };
        await project.ExecuteSourceAsync($"delete from items where {Where(type, gone)}; insert into items values {Rows(type, [5], "2026-01-02 00:00:00+00")};");
        (await RunAndCompareAsync(project, type)).RowsDeleted.ShouldBe(gone.Length);
        await project.ExecuteSourceAsync($"insert into items values {Rows(type, [keys[0]], "2026-01-03 00:00:00+00")};");
        (await RunAndCompareAsync(project, type)).RowsDeleted.ShouldBe(0);

        // The lake alone rebuilds the same table (every run's keys applied again, in order), from
        // a table emptied first so that a replay that did nothing fails.
        var key = Key(type);
        var before = Format(await project.WarehouseRowsAsync($"SELECT {key} FROM raw.items ORDER BY {key}"));
        before.Count.ShouldBe(keys.Length - gone.Length + 2);
        await project.ExecuteWarehouseAsync("DELETE FROM raw.items");
        await project.ReplayAsync();
        Format(await project.WarehouseRowsAsync($"SELECT {key} FROM raw.items ORDER BY {key}")).ShouldBe(before);

        // An emptied source deletes everything, also after the replay.
        await project.ExecuteSourceAsync("delete from items;");
        (await RunAndCompareAsync(project, type)).RowsDeleted.ShouldBe(keys.Length - gone.Length + 2);
        var summarized = type is "smallint" or "integer" or "bigint";
        (await KeyFilesAsync(project)).Select(KeySummary.Holds).ShouldAllBe(holds => holds == summarized);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Replay_OfSummarizedDeletes_RebuildsTheSameHistory(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse,
            Table("bigint") + $"insert into items select i, '2026-01-01 00:00:00+00' from generate_series(1, 200) as i;");
        project.Configure("mode: scd2\ncursor: updated_at\ndetect_deletes: true");
        await project.RunAsync();
        await project.ExecuteSourceAsync("delete from items where id % 7 = 0; update items set updated_at = '2026-01-02 00:00:00+00' where id % 5 = 0;");
        await project.RunAsync();
        await project.ExecuteSourceAsync("delete from items where id between 30 and 90; insert into items values (14, '2026-01-03 00:00:00+00');");
        await project.RunAsync();

        const string History = "SELECT id, CAST(_wharf_valid_from AS VARCHAR), CAST(_wharf_valid_to AS VARCHAR), _wharf_is_current FROM raw.items ORDER BY 1, 2";
        var history = Format(await project.WarehouseRowsAsync(History));
        (await project.WarehouseScalarAsync("SELECT count(*) FROM raw.items WHERE _wharf_is_current")).ShouldBe(
            await SourceCountAsync(project));
        await project.ExecuteWarehouseAsync("DELETE FROM raw.items WHERE id % 3 = 0");
        Format(await project.WarehouseRowsAsync(History)).ShouldNotBe(history);
        await project.ReplayAsync();
        Format(await project.WarehouseRowsAsync(History)).ShouldBe(history);
    }

    /// <summary>
    /// The previous run's key summary stands in for the table only if it is of the same key: after
    /// <c>primary_key:</c> changes, its values mean something else, and the table is compared.
    /// </summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task PrimaryKeyChanged_DeletesAreFoundByTheNewKey(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse,
            "create table items (id bigint primary key, n bigint not null unique, updated_at timestamptz);" +
            "insert into items select i, 1000 + i, '2026-01-01 00:00:00+00' from generate_series(1, 40) as i;");
        project.Configure("mode: merge\ncursor: updated_at\ndetect_deletes: true");
        await project.RunAsync();
        await project.ExecuteSourceAsync("delete from items where id = 3;");
        (await project.RunAsync()).RowsDeleted.ShouldBe(1);

        project.Configure("mode: merge\ncursor: updated_at\ndetect_deletes: true\nprimary_key: [n]");
        await project.ExecuteSourceAsync("delete from items where id in (5, 6);");

        (await project.RunAsync()).RowsDeleted.ShouldBe(2);
        Format(await project.WarehouseRowsAsync("SELECT n FROM raw.items ORDER BY n"))
            .ShouldBe(Format(await project.SourceRowsAsync("SELECT n FROM items ORDER BY n")));
    }

    /// <summary>
    /// A first load into an empty table holds only rows of its own snapshot, so it reads no key from
    /// the source: it summarizes the keys it loaded, from the lake, and the next run compares the
    /// source's summary with that. With <c>initial:</c> the two differ (the source has keys the table
    /// never got), which shows where the summary came from.
    /// </summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task FirstLoad_SummarizesTheKeysItLoaded_AndTheNextRunDeletesByThem(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, Table("bigint") +
            "insert into items select i, case when i <= 10 then timestamptz '2026-01-01 00:00:00+00' else timestamptz '2026-01-03 00:00:00+00' end from generate_series(1, 20) as i;");
        project.Configure("mode: merge\ncursor: updated_at\ndetect_deletes: true\ninitial: '2026-01-02'");

        (await project.RunAsync()).RowsInserted.ShouldBe(10);

        var first = (await KeyFilesAsync(project)).ShouldHaveSingleItem();
        KeySummary.Holds(first).ShouldBeTrue();
        var bits = await SummaryBitsAsync(project, first);
        bits.ShouldBe(((1L << 21) - 1) & ~((1L << 11) - 1), "keys 11 to 20 in bucket 0: the rows loaded, not the source's 1 to 20");

        await project.ExecuteSourceAsync("delete from items where id in (3, 12, 20); insert into items values (21, '2026-01-04 00:00:00+00');");
        var second = await project.RunAsync();

        (second.RowsDeleted, second.RowsInserted).ShouldBe((2L, 1L));
        Format(await project.WarehouseRowsAsync("SELECT id FROM raw.items ORDER BY id"))
            .ShouldBe([.. Enumerable.Range(11, 11).Where(i => i is not 12 and not 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    /// <summary>The bits of bucket 0 in a run's key summary files.</summary>
    private static async Task<long> SummaryBitsAsync(IncrementalProject project, ImmutableArray<LakeManifest> files)
    {
        var loaded = await ProjectLoader.LoadAsync(project.Root, cancellationToken: TestContext.Current.CancellationToken);
        using var connection = Wharf.DuckDb.DuckDbConnections.Open(null);
        var list = string.Join(", ", files.Select(f => $"'{Path.Combine(loaded.LakeDirectory, f.File)}'"));
        return Convert.ToInt64(Wharf.DuckDb.DuckDbCommands.Scalar(connection,
            $"SELECT bit_or({KeySummary.BitsColumn}) FROM read_parquet([{list}]) WHERE {KeySummary.BucketColumn} = 0"), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Where(string type, long[] keys) => type switch
    {
        "text" => $"code in ({string.Join(", ", keys.Select(k => $"'key {k}'"))})",
        "composite" => $"n in ({string.Join(", ", keys.Select(Literal))})",
        _ => $"id in ({string.Join(", ", keys.Select(Literal))})",
    };

    private static async Task<RunRecord> RunAndCompareAsync(IncrementalProject project, string type)
    {
        var record = await project.RunAsync();
        var key = Key(type);
        Format(await project.WarehouseRowsAsync($"SELECT {key} FROM raw.items ORDER BY {key}"))
            .ShouldBe(Format(await project.SourceRowsAsync($"SELECT {key} FROM items ORDER BY {key}")));
        return record;
    }

    private static async Task<object?> SourceCountAsync(IncrementalProject project) =>
        (await project.SourceRowsAsync("SELECT count(*) FROM items"))[0][0];

    private static List<string> Format(List<object?[]> rows) => [.. rows.Select(r => string.Join("|", r.Select(IncrementalProject.Format)))];

    /// <summary>The delete detection key files of every run, per run.</summary>
    private static async Task<List<ImmutableArray<LakeManifest>>> KeyFilesAsync(IncrementalProject project)
    {
        var loaded = await ProjectLoader.LoadAsync(project.Root, cancellationToken: TestContext.Current.CancellationToken);
        var layout = new LakeLayout(loaded.LakeDirectory);
        return [.. layout.Manifests(IncrementalProject.Pipeline).Where(m => m.Stream.EndsWith(".keys", StringComparison.Ordinal))
            .GroupBy(m => m.RunId).Select(g => g.ToImmutableArray())];
    }
}
