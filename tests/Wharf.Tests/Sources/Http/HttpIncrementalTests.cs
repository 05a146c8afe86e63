using System.Collections.Concurrent;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// <c>incremental:</c> by a request parameter across runs (initial value, saved watermark, lookback,
/// merge), and <c>--var</c>.
/// </summary>
public sealed class HttpIncrementalTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    /// <summary>Tickets by id: (updated_at, status). The server answers those updated at or after <c>updated_since</c>.</summary>
    private readonly ConcurrentDictionary<int, (string UpdatedAt, string Status)> tickets = new()
    {
        [1] = ("2024-01-01T08:00:00Z", "open"),
        [2] = ("2024-01-02T08:00:00Z", "open"),
        [3] = ("2024-01-03T10:00:00Z", "open"),
    };

    private Task Serve(ApiContext c)
    {
        var since = c.Query("updated_since") is { } text ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
        var rows = tickets.Where(t => DateTimeOffset.Parse(t.Value.UpdatedAt, System.Globalization.CultureInfo.InvariantCulture) >= since).OrderBy(t => t.Key)
            .Select(t => $$"""{"id": {{t.Key}}, "updated_at": "{{t.Value.UpdatedAt}}", "status": "{{t.Value.Status}}"}""");
        return c.Json($$"""{"tickets": [{{string.Join(", ", rows)}}]}""");
    }

    [Fact]
    public async Task Incremental_SendsTheInitialValue_ThenTheWatermarkLessTheLookback_AndMerges()
    {
        await using var server = await ApiServer.StartAsync("/tickets", Serve);
        project.WithApi(server.Url, """
              tickets:
                source: api
                endpoint: /tickets
                incremental: { param: updated_since, cursor: updated_at, initial: "2024-01-02T00:00:00Z", lookback: 1h }
                mode: merge
                primary_key: [id]
            """);

        var first = await project.RunAsync("run");

        first.ExitCode.ShouldBe(0, first.ToString());
        server.To("/tickets").Single().PathAndQuery.ShouldBe("/tickets?updated_since=2024-01-02T00%3A00%3A00Z");
        project.Rows("SELECT id, status FROM tickets ORDER BY id").ShouldBe(["2 | open", "3 | open"]);
        project.Rows("SELECT watermark_after FROM _wharf.runs").Single().ShouldStartWith("updated_at=2024-01-03 10:00:00");

        tickets[3] = ("2024-01-04T09:00:00Z", "closed");
        tickets[4] = ("2024-01-04T10:00:00Z", "open");

        var second = await project.RunAsync("run");

        second.ExitCode.ShouldBe(0, second.ToString());
        server.To("/tickets")[1].PathAndQuery.ShouldBe("/tickets?updated_since=2024-01-03T09%3A00%3A00Z", "the watermark less the one-hour lookback");
        project.Rows("SELECT id, status FROM tickets ORDER BY id").ShouldBe(["2 | open", "3 | closed", "4 | open"]);
        project.Rows("SELECT rows_extracted, rows_inserted, rows_updated FROM _wharf.runs ORDER BY started_at").ShouldBe(["2 | 2 | 0", "2 | 1 | 1"]);

        var third = await project.RunAsync("run");

        third.ExitCode.ShouldBe(0, third.ToString());
        server.To("/tickets")[2].PathAndQuery.ShouldBe("/tickets?updated_since=2024-01-04T09%3A00%3A00Z");
        project.Rows("SELECT rows_inserted, rows_updated, rows_unchanged FROM _wharf.runs ORDER BY started_at DESC LIMIT 1").ShouldBe(["0 | 0 | 2"]);
    }

    [Theory]
    [InlineData("unix", 3600)]
    [InlineData("unix_ms", 3_600_000)]
    public async Task Incremental_EpochCursor_TakesADurationLookbackInItsUnits(string format, long hour)
    {
        // The records' cursor is an epoch number; 'lookback: 1h' is an hour of it, every run.
        var scale = hour / 3600;
        await using var server = await ApiServer.StartAsync("/events", c => c.Json($$"""[{"id": 1, "ts": {{1_704_067_200 * scale}}}, {"id": 2, "ts": {{1_704_070_800 * scale}}}]"""));
        project.WithApi(server.Url, $$"""
              events:
                source: api
                endpoint: /events
                incremental: { param: since, cursor: ts, initial: "2024-01-01T00:00:00Z", format: {{format}}, lookback: 1h }
                mode: merge
                primary_key: [id]
            """);

        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        var second = await project.RunAsync("run");

        second.ExitCode.ShouldBe(0, second.ToString());
        server.To("/events")[1].PathAndQuery.ShouldBe($"/events?since={(1_704_070_800 - 3600) * scale}");
        project.Rows("SELECT count(*) FROM events").ShouldBe(["2"]);
    }

    [Fact]
    public async Task Incremental_WithLists_CommitsTheChildTableWithEachRun_AndAReplayRebuildsBoth()
    {
        var comments = new ConcurrentDictionary<int, string[]>() { [1] = ["a"], [2] = ["b", "c"], [3] = ["d"] };
        await using var server = await ApiServer.StartAsync("/tickets", c =>
        {
            var since = DateTimeOffset.Parse(c.Query("updated_since")!, System.Globalization.CultureInfo.InvariantCulture);
            var rows = tickets.Where(t => DateTimeOffset.Parse(t.Value.UpdatedAt, System.Globalization.CultureInfo.InvariantCulture) >= since).OrderBy(t => t.Key)
                .Select(t => $$"""{"id": {{t.Key}}, "updated_at": "{{t.Value.UpdatedAt}}", "comments": [{{string.Join(", ", comments[t.Key].Select(x => $"{{\"text\": \"{x}\"}}"))}}]}""");
            return c.Json($$"""{"tickets": [{{string.Join(", ", rows)}}]}""");
        });
        project.WithApi(server.Url, """
              tickets:
                source: api
                endpoint: /tickets
                incremental: { param: updated_since, cursor: updated_at, initial: "2024-01-01T00:00:00Z", lookback: 1h }
                mode: merge
                primary_key: [id]
            """);
        const string Comments = "SELECT t.id, c._wharf_list_idx, c.text FROM tickets__comments c JOIN tickets t ON c._wharf_parent_id = t._wharf_id ORDER BY 1, 2";

        var first = await project.RunAsync("run");
        tickets[3] = ("2024-01-04T09:00:00Z", "open");
        comments[3] = ["d", "e", "f"];
        var second = await project.RunAsync("run");

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        project.Rows(Comments).ShouldBe(["1 | 0 | a", "2 | 0 | b", "2 | 1 | c", "3 | 0 | d", "3 | 1 | e", "3 | 2 | f"]);
        project.Rows("SELECT stream, status, rows_extracted, rows_inserted, rows_unchanged FROM _wharf.runs ORDER BY started_at, stream").ShouldBe([
            "tickets | succeeded | 3 | 3 | 0", "tickets__comments | succeeded | 4 | 4 | 0",
            "tickets | succeeded | 1 | 0 | 0", "tickets__comments | succeeded | 3 | 2 | 1",
        ]);
        project.Rows("SELECT stream FROM _wharf.state").ShouldBe(["tickets"], "the child table's rows go with the parent's state");

        var replay = await project.RunAsync("replay", "tickets");

        replay.ExitCode.ShouldBe(0, replay.ToString());
        project.Rows(Comments).ShouldBe(["1 | 0 | a", "2 | 0 | b", "2 | 1 | c", "3 | 0 | d", "3 | 1 | e", "3 | 2 | f"], "the replay rebuilds the child table from its lake files");
        project.Rows("SELECT id FROM tickets ORDER BY id").ShouldBe(["1", "2", "3"]);
    }

    [Fact]
    public async Task Incremental_WithListsAndDeleteDetection_FailsWithTheClearErrorAndLoadsNothing()
    {
        await using var server = await ApiServer.StartAsync("/tickets", c => c.Json("""{"tickets": [{"id": 1, "updated_at": "2024-01-01T08:00:00Z", "comments": [{"text": "a"}]}]}"""));
        project.WithApi(server.Url, """
              tickets:
                source: api
                endpoint: /tickets
                incremental: { param: updated_since, cursor: updated_at }
                mode: merge
                primary_key: [id]
                detect_deletes: true
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("its records have lists (comments), which become child tables, and under a cursor the rows of child tables are not deleted with their parents yet");
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'tickets%'").ShouldBe(["0"]);
    }

    [Fact]
    public async Task Var_SetsAVariableForOneRun()
    {
        await using var server = await ApiServer.StartAsync("/tickets", Serve);
        project.WithApi(server.Url, """
              tickets:
                source: api
                endpoint: /tickets
                params: { updated_since: "${since}T00:00:00Z" }
            """);

        var result = await project.RunAsync("run", "tickets", "--var", "since=2024-01-03");

        result.ExitCode.ShouldBe(0, result.ToString());
        server.To("/tickets").Single().PathAndQuery.ShouldBe("/tickets?updated_since=2024-01-03T00%3A00%3A00Z");
        project.Rows("SELECT id FROM tickets").ShouldBe(["3"]);
    }

    [Fact]
    public async Task Var_WorksForFilePipelinesToo_AndABadOneIsAUsageError()
    {
        project.Write("data/day-2024-01-05.csv", "id\n7\n").WithPipelines("""
              daily:
                source: local
                files: "day-${day}.csv"
            """);

        var bad = await project.RunAsync("run", "--var", "day");
        var good = await project.RunAsync("run", "--var", "day=2024-01-05");

        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.Error.ShouldContain("--var takes KEY=VALUE");
        good.ExitCode.ShouldBe(0, good.ToString());
        project.Rows("SELECT id FROM daily").ShouldBe(["7"]);
    }
}
