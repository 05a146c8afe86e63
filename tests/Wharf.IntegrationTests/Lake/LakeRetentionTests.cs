using System.Text.RegularExpressions;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Locations;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Lake;

/// <summary>
/// <c>lake_retention:</c> on a local lake and on S3, for a replace stream (only the newest
/// extract is needed) and a cursor stream (everything since its last full extract): the files
/// outside the limits are gone, the needed ones stay, and a replay rebuilds the exact table.
/// </summary>
public sealed partial class LakeRetentionTests(PostgresServer postgres, S3Server s3)
{
    private const string Setup = """
        CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL);
        INSERT INTO items VALUES (1, 'one', '2026-01-01 10:00'), (2, 'two', '2026-01-01 11:00');
        """;

    [GeneratedRegex(@"(?<run>\d{8}T\d{9}Z-[0-9a-f]{6})-\d{4}\.(parquet|manifest\.json)$")]
    private static partial Regex LakeFile();

    private static List<string> RunsOf(IEnumerable<string> files) =>
        [.. files.Select(f => LakeFile().Match(f)).Where(m => m.Success).Select(m => m.Groups["run"].Value).Distinct().Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AReplaceStream_KeepsTheNewestRuns_AndReplayRebuildsTheTable(bool onS3)
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, WarehouseUnderTest.DuckDb, Setup);
        project.Configure((onS3 ? project.S3Lake() : "lake: lake") + "\nlake_retention: { keep_runs: 2 }", "mode: replace");
        var runs = new List<string>();
        for (var i = 3; i <= 5; i++)
        {
            await project.ExecuteSourceAsync($"INSERT INTO items VALUES ({i}, 'item {i}', '2026-01-0{i} 10:00'); DELETE FROM items WHERE id = {i - 2};");
            runs.Add((await project.RunAsync()).RunId);
        }

        var files = onS3 ? await project.LakeKeysAsync() : project.LocalLakeFiles();
        RunsOf(files).ShouldBe(runs[1..], "the oldest run's part and manifest are removed; the newest two stay");
        files.Count.ShouldBe(4, string.Join("\n", files));

        var before = await project.TableAsync();
        before.ShouldBe(["4 | item 4 | 2026-01-04 10:00:00.000000", "5 | item 5 | 2026-01-05 10:00:00.000000"]);
        await project.ExecuteWarehouseAsync("DROP TABLE raw.items");
        await project.ReplayAsync();
        (await project.TableAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task AReplaceStream_WithKeepDaysZero_KeepsOnlyTheExtractAReplayNeeds()
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, WarehouseUnderTest.DuckDb, Setup);
        project.Configure("lake_retention: { keep_days: 0 }", "mode: replace");
        var first = await project.RunAsync();
        var removed = project.LocalLakeFiles();
        await project.ExecuteSourceAsync("UPDATE items SET name = 'ONE' WHERE id = 1;");
        var cli = await project.CliAsync("run", "--verbose");
        cli.ExitCode.ShouldBe(0, cli.ToString());

        var files = project.LocalLakeFiles();
        var last = RunsOf(files).ShouldHaveSingleItem();
        last.ShouldNotBe(first.RunId);
        var said = cli.Output + cli.Error;
        said.ShouldContain("lake retention (keep_days: 0) removed 1 lake file(s) and 1 manifest(s)", Case.Sensitive, said);
        foreach (var file in removed)
        {
            said.ShouldContain($"lake retention removed {Path.Combine(project.Root, "lake")}/{file}");
        }
        await project.ExecuteWarehouseAsync("UPDATE raw.items SET name = 'damaged'");
        await project.ReplayAsync();
        (await project.TableAsync()).ShouldBe(await project.SourceRowsAsync("SELECT id, name, updated_at FROM items ORDER BY id"));
    }

    [Theory]
    [InlineData(false, WarehouseUnderTest.DuckDb)]
    [InlineData(true, WarehouseUnderTest.Postgres)]
    public async Task ACursorStream_KeepsEveryRunSinceItsLastFullExtract_AndReplayRebuildsTheTable(bool onS3, WarehouseUnderTest kind)
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, kind, Setup);
        project.Configure((onS3 ? project.S3Lake() : "") + "\nlake_retention: { keep_runs: 1 }", """
            mode: merge
            primary_key: id
            cursor: updated_at
            """);
        var first = await project.RunAsync();
        await project.ExecuteSourceAsync("INSERT INTO items VALUES (3, 'three', '2026-01-02 10:00');");
        var second = await project.RunAsync();

        async Task<List<string>> LakeRunsAsync() => RunsOf(onS3 ? await project.LakeKeysAsync() : project.LocalLakeFiles());
        (await LakeRunsAsync()).ShouldBe([first.RunId, second.RunId], "a replay needs the first (full) extract and every increment after it");

        var refreshed = await project.RunAsync(fullRefresh: true);
        await project.ExecuteSourceAsync("UPDATE items SET name = 'TWO', updated_at = '2026-01-03 10:00' WHERE id = 2;");
        var last = await project.RunAsync();

        (await LakeRunsAsync()).ShouldBe([refreshed.RunId, last.RunId], "the runs before the full refresh are not needed any more");
        var before = await project.TableAsync();
        before.ShouldBe(await project.SourceRowsAsync("SELECT id, name, updated_at FROM items ORDER BY id"));
        await project.ExecuteWarehouseAsync("DROP TABLE raw.items");

        var replay = await project.ReplayAsync();

        replay.Streams.ShouldHaveSingleItem().Source.ShouldContain($"{refreshed.RunId} to {last.RunId}");
        (await project.TableAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task DeleteDetectionKeys_OnlyTheNewestSnapshotStays_AndReplayStillDeletes()
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, WarehouseUnderTest.DuckDb, Setup);
        project.Configure("lake_retention: { keep_runs: 1 }", """
            mode: merge
            primary_key: id
            cursor: updated_at
            detect_deletes: true
            """);
        var first = await project.RunAsync();
        await project.ExecuteSourceAsync("DELETE FROM items WHERE id = 1; INSERT INTO items VALUES (3, 'three', '2026-01-02 10:00');");
        var second = await project.RunAsync();
        await project.ExecuteSourceAsync("INSERT INTO items VALUES (4, 'four', '2026-01-03 10:00');");
        var third = await project.RunAsync();

        var files = project.LocalLakeFiles();
        RunsOf(files.Where(f => f.StartsWith("items/items/", StringComparison.Ordinal))).ShouldBe([first.RunId, second.RunId, third.RunId], "every increment since the first run is data a replay needs");
        RunsOf(files.Where(f => f.StartsWith("items/items.keys/", StringComparison.Ordinal))).ShouldBe([third.RunId], "of the key snapshots only the newest");

        var before = await project.TableAsync();
        before.ShouldBe(await project.SourceRowsAsync("SELECT id, name, updated_at FROM items ORDER BY id"));
        await project.ExecuteWarehouseAsync("DROP TABLE raw.items");
        await project.ReplayAsync();
        (await project.TableAsync()).ShouldBe(before, "id 1, deleted in the source, is deleted again by the newest snapshot");
    }
}
