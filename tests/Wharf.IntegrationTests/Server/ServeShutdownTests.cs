using System.Net.Http.Json;
using System.Text.Json;
using DuckDB.NET.Data;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Server;

/// <summary>
/// SIGTERM to a real <c>wharf serve</c> in the middle of a run from a real PostgreSQL (a query
/// that takes seconds) into a DuckDB warehouse: the run either finishes within the grace period
/// and is kept whole, or is cancelled and leaves nothing behind.
/// </summary>
public sealed class ServeShutdownTests(PostgresServer postgres)
{
    private const int Rows = 300;

    [Fact]
    public async Task Sigterm_WhenRunOutlastsGrace_CancelsItAndLeavesWarehouseAsItWas()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await SlowProjectAsync(ct);
        using var serve = ServeProcess.Start(project.Directory, project.Environment, "--grace", "1s");
        await StartRunAndWaitUntilRunningAsync(serve, ct);

        serve.Terminate();
        (await serve.WaitForExitAsync(TimeSpan.FromSeconds(30), ct)).ShouldBe(0, serve.Log);

        serve.Log.ShouldContain("cancelling 1 running run(s)", Case.Insensitive, serve.Log);
        var (runs, rows) = await ReadWarehouseAsync(project.Directory);
        runs.ShouldNotContain(r => r.Status == "succeeded", serve.Log);
        rows.ShouldBe(0, "a cancelled run must not leave rows behind");
    }

    [Fact]
    public async Task Sigterm_WhenRunFinishesWithinGrace_KeepsItWhole()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await SlowProjectAsync(ct);
        using var serve = ServeProcess.Start(project.Directory, project.Environment, "--grace", "60s");
        await StartRunAndWaitUntilRunningAsync(serve, ct);

        serve.Terminate();
        (await serve.WaitForExitAsync(TimeSpan.FromSeconds(90), ct)).ShouldBe(0, serve.Log);

        var (runs, rows) = await ReadWarehouseAsync(project.Directory);
        runs.ShouldHaveSingleItem(serve.Log).Status.ShouldBe("succeeded");
        rows.ShouldBe(Rows);
    }

    [Fact]
    public async Task Trigger_WhilePipelineRuns_IsSkippedAndCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await SlowProjectAsync(ct);
        using var serve = ServeProcess.Start(project.Directory, project.Environment, "--grace", "1s");
        await StartRunAndWaitUntilRunningAsync(serve, ct);
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };

        var again = await http.PostAsync("/api/pipelines/slow/runs", null, ct);

        again.StatusCode.ShouldBe(System.Net.HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync(ct)).ShouldContain("still running");
        (await http.GetStringAsync("/metrics", ct)).ShouldContain("wharf_skipped_triggers_total{pipelines=\"slow\"} 1");
        serve.Log.ShouldContain("skipped: slow is still running");
    }

    private static async Task StartRunAndWaitUntilRunningAsync(ServeProcess serve, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };
        var start = await http.PostAsync("/api/pipelines/slow/runs", null, ct);
        start.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted, serve.Log);
        // Running, and past opening the source: the query is streaming when the signal comes.
        for (var i = 0; i < 100 && !serve.Log.Contains("reading", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, ct);
        }

        var pipelines = await http.GetFromJsonAsync<JsonElement>("/api/pipelines", ct);
        pipelines[0].GetProperty("running").GetBoolean().ShouldBeTrue(serve.Log);
        await Task.Delay(500, ct);
    }

    private async Task<(string Directory, Dictionary<string, string> Environment)> SlowProjectAsync(CancellationToken ct)
    {
        var database = await postgres.CreateDatabaseAsync(ct);
        var directory = Directory.CreateTempSubdirectory("wharf-serve-").FullName;
        // pg_sleep per row (volatile, so evaluated for each): each row takes 20 ms, so the whole query takes about 6 s.
        await File.WriteAllTextAsync(Path.Combine(directory, "wharf.yml"), $$"""
            warehouse: duckdb:warehouse.duckdb
            connections:
              shop: { type: postgres, url: "${SHOP_URL}" }
            pipelines:
              slow:
                source: shop
                query: "select g as id, g * 2 as amount from generate_series(1, {{Rows}}) g where pg_sleep(0.02)::text = ''"
                table: slow
            """, ct);
        return (directory, new Dictionary<string, string> { ["SHOP_URL"] = database.Url });
    }

    private static async Task<(List<(string Status, string Target)> Runs, long Rows)> ReadWarehouseAsync(string directory)
    {
        await using var connection = new DuckDBConnection($"Data Source={Path.Combine(directory, "warehouse.duckdb")}");
        await connection.OpenAsync();
        var runs = new List<(string, string)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "select status, target from _wharf.runs";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                runs.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "select count(*) from information_schema.tables where table_name = 'slow'";
            if (Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return (runs, 0);
            }

            command.CommandText = "select count(*) from slow";
            return (runs, Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
