using System.Collections.Concurrent;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// A partitioned HTTP run killed (SIGKILL, at a fail point) after some partitions committed: the
/// warehouse holds exactly those partitions and the state names the last; the rerun fetches only
/// the partitions not committed and ends with every record exactly once (append, so a partition
/// loaded twice would show). Each record's list (a child table) is committed with its partition.
/// </summary>
public sealed class HttpPartitionKillTests : IDisposable
{
    private const int Partitions = 12;
    private const int RecordsPerPartition = 50;

    private readonly TempProject project = new();
    private readonly ConcurrentDictionary<string, int> fetches = new();

    public void Dispose() => project.Dispose();

    private Task Serve(ApiContext c)
    {
        var part = c.Query("part")!;
        fetches.AddOrUpdate(part, 1, (_, n) => n + 1);
        var number = int.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
        var records = Enumerable.Range(1, RecordsPerPartition).Select(i => $$"""{"id": {{number * 1000 + i}}, "payload": "p{{number}}-{{i}} ü", "tags": ["t{{number}}", "x"]}""");
        return c.Json("[" + string.Join(", ", records) + "]");
    }

    private Task<WharfProcess.Result> RunAsync(string? failPoint) => WharfProcess.RunAsync(project.Root,
        new Dictionary<string, string?> { ["WHARF_FAILPOINT"] = failPoint }, "run", "--project", project.Root);

    [Theory]
    [InlineData("chunk.committed:4", 4)]
    [InlineData("load.before-commit:4", 3)]
    [InlineData("extract.part-written:4", 3)]
    public async Task KilledDuringAPartitionedRun_RerunFetchesOnlyWhatWasNotCommitted(string failPoint, int committed)
    {
        await using var server = await ApiServer.StartAsync("/items", Serve);
        var values = string.Join(", ", Enumerable.Range(1, Partitions).Select(i => $"\"{i:D2}\""));
        project.WithApi(server.Url, $$$"""
              items:
                source: api
                endpoint: /items
                params: { part: "{{ value }}" }
                for_each: { values: [{{{values}}}], include: { part: value } }
            """, "max_concurrency: 3");

        var killed = await RunAsync(failPoint);

        killed.ExitCode.ShouldBe(137, killed.ToString());
        project.Rows("SELECT part, count(*) FROM items GROUP BY part ORDER BY part")
            .ShouldBe([.. Enumerable.Range(1, committed).Select(i => $"{i:D2} | {RecordsPerPartition}")]);
        project.Rows("SELECT checkpoint FROM _wharf.state").ShouldBe([$"{committed:D2}"]);
        project.Rows("SELECT i.part, count(*) FROM items__tags t JOIN items i ON t._wharf_parent_id = i._wharf_id GROUP BY i.part ORDER BY i.part")
            .ShouldBe([.. Enumerable.Range(1, committed).Select(i => $"{i:D2} | {2 * RecordsPerPartition}")], "each committed partition's lists, and no other");

        var rerun = await RunAsync(null);

        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        project.Rows("SELECT count(*), count(DISTINCT id) FROM items").ShouldBe([$"{Partitions * RecordsPerPartition} | {Partitions * RecordsPerPartition}"]);
        project.Rows("SELECT part, count(*) FROM items GROUP BY part ORDER BY part")
            .ShouldBe([.. Enumerable.Range(1, Partitions).Select(i => $"{i:D2} | {RecordsPerPartition}")]);
        Enumerable.Range(1, committed).Select(i => fetches[$"{i:D2}"]).ShouldAllBe(n => n == 1, "committed partitions are not fetched again");
        project.Rows("SELECT count(*) FROM _wharf.state WHERE checkpoint IS NOT NULL").ShouldBe(["0"]);
        project.Rows("SELECT count(*), count(DISTINCT (_wharf_parent_id, _wharf_list_idx)), count(*) FILTER (WHERE value = 'x') FROM items__tags")
            .ShouldBe([$"{2 * Partitions * RecordsPerPartition} | {2 * Partitions * RecordsPerPartition} | {Partitions * RecordsPerPartition}"]);
        project.Rows("SELECT count(*) FROM items__tags t LEFT JOIN items i ON t._wharf_parent_id = i._wharf_id WHERE i.id IS NULL").ShouldBe(["0"], "every list row has its record");
        project.Rows("SELECT stream, status, rows_loaded FROM _wharf.runs ORDER BY started_at, stream").ShouldBe([
            $"items | interrupted | {committed * RecordsPerPartition}", $"items__tags | interrupted | {2 * committed * RecordsPerPartition}",
            $"items | succeeded | {(Partitions - committed) * RecordsPerPartition}", $"items__tags | succeeded | {2 * (Partitions - committed) * RecordsPerPartition}",
        ]);
    }
}
