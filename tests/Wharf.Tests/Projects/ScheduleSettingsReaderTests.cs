using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary>wharf.yml's <c>schedules:</c>, <c>server:</c> and <c>freshness:</c>: what is read, and errors that name the line.</summary>
public sealed class ScheduleSettingsReaderTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Project(string rest) => $$"""
        connections:
          files: { type: files, path: data/ }
        pipelines:
          orders: { source: files, files: "*.csv", table: orders, freshness: 2h }
          refunds: { source: files, files: "refunds/*.csv", table: refunds }
        {{rest}}
        """;

    [Fact]
    public async Task Load_ReadsEveryKindOfSchedule()
    {
        folder.WriteProject(Project("""
            schedules:
              hourly: { cron: "0 * * * *", timezone: Europe/Lisbon, run: [orders, refunds], then: [build: "tag:marts"], retries: 2, retry_delay: 30s }
              often: { every: 10m, run: orders, catch_up: none }
              inbox: { on_new_files: { connection: files, files: "incoming/*.csv", poll: 5s }, run: [refunds] }
            server: { auth: { token: "0123456789abcdef0123" }, open_metrics: false }
            """));
        var project = await folder.LoadAsync();

        project.Pipelines[0].Freshness.ShouldBe(TimeSpan.FromHours(2));
        project.Pipelines[1].Freshness.ShouldBeNull();
        var (hourly, often, inbox) = (project.Schedules[0], project.Schedules[1], project.Schedules[2]);
        (hourly.Cron, hourly.TimeZone.Id, hourly.Retries, hourly.RetryDelay).ShouldBe(("0 * * * *", "Europe/Lisbon", 2, TimeSpan.FromSeconds(30)));
        hourly.Pipelines.ShouldBe(["orders", "refunds"]);
        hourly.ThenBuild.ShouldBe(["tag:marts"]);
        (often.Every, often.CatchUp, often.Pipelines.Single()).ShouldBe((TimeSpan.FromMinutes(10), CatchUp.None, "orders"));
        (inbox.OnNewFiles!.Connection, inbox.OnNewFiles.Files, inbox.OnNewFiles.PollEvery).ShouldBe(("files", "incoming/*.csv", TimeSpan.FromSeconds(5)));
        (project.Server.Token, project.Server.OpenMetrics).ShouldBe(("0123456789abcdef0123", false));
        project.Server.ToString().ShouldNotContain("0123456789abcdef0123");
    }

    [Theory]
    [InlineData("  bad: { cron: \"61 * * * *\", run: [orders] }", 7, "not a cron expression")]
    [InlineData("  bad: { cron: \"0 * * * *\", timezone: Mars/Olympus, run: [orders] }", 7, "does not know")]
    [InlineData("  bad: { every: 10m, run: [shipments] }", 7, "no such pipeline")]
    [InlineData("  bad: { run: [orders] }", 7, "needs one trigger")]
    [InlineData("  bad: { every: 10m, cron: \"0 * * * *\", run: [orders] }", 7, "exactly one trigger")]
    [InlineData("  bad: { every: soon, run: [orders] }", 7, "must be a duration")]
    [InlineData("  bad: { every: 10m }", 7, "needs 'run:'")]
    [InlineData("  bad: { every: 10m, run: [orders], catch_up: all }", 7, "must be one of latest, none")]
    [InlineData("  bad: { every: 10m, run: [orders], then: [deploy: x] }", 7, "unknown key 'deploy'")]
    [InlineData("  bad: { on_new_files: { connection: nope, files: x }, run: [orders] }", 7, "not a 'files' connection")]
    [InlineData("  bad: { evry: 10m, run: [orders] }", 7, "Did you mean 'every'?")]
    public async Task Load_WhenScheduleIsWrong_SaysWhereAndWhat(string schedule, int line, string message)
    {
        var error = await folder.LoadFailsAsync(Project("schedules:\n" + schedule));

        error.Message.ShouldContain(message);
        error.Line.ShouldBe(line);
    }

    [Fact]
    public async Task Load_ReadsAlerts_AndHidesTheirWebhooks()
    {
        folder.WriteProject(Project("""
            alerts:
              ops: { webhook: "https://hooks.slack.test/services/T0/B0/secret-part", format: slack, on: [run_failed], pipelines: [orders], cooldown: 5m, retries: 1 }
              all: { webhook: "http://127.0.0.1:9000/alerts" }
            """));
        var project = await folder.LoadAsync();

        var (ops, all) = (project.Alerts[0], project.Alerts[1]);
        (ops.Format, ops.Cooldown, ops.Retries).ShouldBe((AlertFormat.Slack, TimeSpan.FromMinutes(5), 1));
        ops.Events.ShouldBe(["run_failed"]);
        ops.Pipelines.ShouldBe(["orders"]);
        ops.ToString().ShouldNotContain("secret-part");
        (all.Format, all.Cooldown, all.Retries).ShouldBe((AlertFormat.Json, TimeSpan.FromMinutes(15), 3));
        all.Events.ShouldBe(AlertSettings.EventNames);
    }

    [Theory]
    [InlineData("  bad: { webhook: \"http://x.test/\", on: [run_exploded] }", "not an event")]
    [InlineData("  bad: { webhook: \"http://x.test/\", pipelines: [shipments] }", "no such pipeline")]
    [InlineData("  bad: { webhook: \"ftp://x.test/\" }", "absolute http")]
    [InlineData("  bad: { webhook: \"http://x.test/\", format: email }", "must be one of json, slack, teams")]
    [InlineData("  bad: { format: slack }", "needs 'webhook'")]
    public async Task Load_WhenAlertIsWrong_SaysWhereAndWhat(string alert, string message)
    {
        var error = await folder.LoadFailsAsync(Project("alerts:\n" + alert));

        error.Message.ShouldContain(message);
        error.Line.ShouldBe(7);
    }

    [Fact]
    public async Task Load_WhenTokenIsShort_AsksForALongOne()
    {
        var error = await folder.LoadFailsAsync(Project("server: { auth: { token: short } }"));

        error.Message.ShouldContain("shorter than 16 characters");
        error.Message.ShouldNotContain("short }");
    }

    [Fact]
    public async Task Load_ReadsDeviation_WithItsDefaults()
    {
        folder.WriteProject($$"""
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders, deviation: { rows: 50%, duration: 250%, runs: 7, min_runs: 4 } }
              refunds: { source: files, files: "r/*.csv", table: refunds, deviation: { rows: 12.5% } }
            """);
        var project = await folder.LoadAsync();

        project.Pipelines[0].Deviation.ShouldBe(new DeviationSettings { Rows = 0.5, Duration = 2.5, Runs = 7, MinRuns = 4 });
        project.Pipelines[1].Deviation.ShouldBe(new DeviationSettings { Rows = 0.125, Duration = null, Runs = 10, MinRuns = 3 });
    }

    [Theory]
    [InlineData("{ rows: 50 }", "must be a percentage above 0, such as 50%, not '50'")]
    [InlineData("{ rows: 0% }", "must be a percentage above 0")]
    [InlineData("{ runs: 5 }", "needs 'rows:' or 'duration:'")]
    [InlineData("{ rows: 50%, runs: 2 }", "'min_runs' (3) cannot be more than 'runs' (2)")]
    [InlineData("{ rows: 50%, min_runs: 0 }", "must be at least 1")]
    [InlineData("{ row: 50% }", "Did you mean 'rows'?")]
    [InlineData("50%", "must be a mapping")]
    public async Task Load_WhenDeviationIsWrong_SaysWhereAndWhat(string deviation, string message)
    {
        var error = await folder.LoadFailsAsync($$"""
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders:
                source: files
                files: "*.csv"
                deviation: {{deviation}}
            """);

        error.Message.ShouldContain(message);
        error.Message.ShouldContain("pipeline 'orders'");
        error.Line.ShouldBe(7);
    }
}
