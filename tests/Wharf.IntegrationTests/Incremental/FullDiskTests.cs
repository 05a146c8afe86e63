using System.Globalization;
using System.Text;
using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// The disk fills while the lake is written (simulated by a file size limit on the run, which
/// fails a write past it exactly as a full disk does): the run fails saying so and naming the
/// lake file, commits nothing, leaves no half-written lake file for a replay to read, and the
/// next run with room loads everything.
/// </summary>
public sealed class FullDiskTests(PostgresServer postgres) : IDisposable
{
    private const int LimitKiB = 1024;
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-full-disk-");

    public void Dispose() => directory.Delete(recursive: true);

    [Theory]
    [InlineData(FaultWarehouse.DuckDb)]
    [InlineData(FaultWarehouse.Postgres)]
    public async Task A_full_disk_while_the_lake_is_written_fails_the_run_clearly_and_changes_nothing(FaultWarehouse kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var root = directory.FullName;
        var warehouse = kind == FaultWarehouse.DuckDb ? null : await postgres.CreateDatabaseAsync(ct);
        await File.WriteAllTextAsync(Path.Combine(root, "wharf.yml"), $$"""
            warehouse: "{{warehouse?.Url ?? "duckdb:warehouse.duckdb"}}"
            connections:
              files: { type: files, path: data/ }
            pipelines:
              events: { source: files, files: events.csv, table: events, mode: replace }
            """, ct);
        WriteEvents(500);
        (await WharfChild.RunAsync(root, null, ct, "run")).ExitCode.ShouldBe(0);
        var before = await TableAsync(warehouse, ct);
        before.Count.ShouldBe(500);
        var lakeBefore = LakeFiles();

        // 60,000 rows of random text: a Parquet file of ~2.5 MB, past the 1 MiB limit.
        WriteEvents(60_000);
        var full = await WharfChild.RunWithFileSizeLimitAsync(root, LimitKiB, ct, "run");

        full.ExitCode.ShouldBe(1, full.ToString());
        full.Error.ShouldContain("Could not write the lake file events/events/", Case.Sensitive, full.ToString());
        full.Error.ShouldContain("File too large", Case.Sensitive, full.ToString());
        full.Error.ShouldContain("Raise the limit (ulimit -f) and run again", Case.Sensitive, "the remedy fits the cause");
        full.Error.ShouldContain("Nothing was loaded.", Case.Sensitive, full.ToString());
        full.Error.ShouldNotContain("csv:", Case.Sensitive, "not blamed on the input file");
        (await TableAsync(warehouse, ct)).ShouldBe(before, "the table is as the last successful run left it");
        LakeFiles().ShouldBe(lakeBefore, "no new lake file, whole or half, and no temporary one left behind");

        // A replay reads only whole files: it rebuilds the table from the first run's file.
        var replay = await WharfChild.RunAsync(root, null, ct, "replay", "events");
        replay.ExitCode.ShouldBe(0, replay.ToString());
        (await TableAsync(warehouse, ct)).ShouldBe(before);

        var resumed = await WharfChild.RunAsync(root, null, ct, "run");

        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        var after = await TableAsync(warehouse, ct);
        after.Count.ShouldBe(60_000);
        after.ShouldBe(Expected(60_000));
    }

    private void WriteEvents(int rows) => File.WriteAllText(Path.Combine(directory.CreateSubdirectory("data").FullName, "events.csv"), Csv(rows));

    private static string Csv(int rows)
    {
        var text = new StringBuilder("id,note\n");
        foreach (var line in Expected(rows))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The rows as <c>id,note</c>: the note is 40 letters from a seeded generator, so Parquet cannot compress it away.</summary>
    private static List<string> Expected(int rows)
    {
        var random = new Random(rows);
        return [.. Enumerable.Range(1, rows).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{i},{new string([.. Enumerable.Range(0, 40).Select(_ => (char)('a' + random.Next(26)))])}"))];
    }

    private List<string> LakeFiles()
    {
        var lake = Path.Combine(directory.FullName, "lake");
        return [.. Directory.GetFiles(lake, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(lake, f)).Order(StringComparer.Ordinal)];
    }

    private async Task<List<string>> TableAsync(TestDatabase? warehouse, CancellationToken ct)
    {
        const string Sql = "SELECT id::text || ',' || note FROM main.events ORDER BY id";
        if (warehouse is not null)
        {
            return [.. (await FaultPg.QueryAsync(warehouse.ConnectionString, Sql, ct)).Select(r => r[0]!)];
        }

        using var connection = DuckDbConnections.Open(Path.Combine(directory.FullName, "warehouse.duckdb"));
        using var reader = connection.Query(Sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
