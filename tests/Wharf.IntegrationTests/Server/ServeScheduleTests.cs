using System.Net.Http.Json;
using System.Text.Json;
using DuckDB.NET.Data;

namespace Wharf.IntegrationTests.Server;

/// <summary>Schedules of a real <c>wharf serve</c>, on real time: cron with seconds, builds after runs, reloads of wharf.yml.</summary>
public sealed class ServeScheduleTests
{
    [Fact]
    public async Task Cron_RunsThePipelineThenBuildsTheModel_AndKeepsRunningThroughABadEdit()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = Directory.CreateTempSubdirectory("wharf-serve-cron-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        Directory.CreateDirectory(Path.Combine(project, "models"));
        await File.WriteAllTextAsync(Path.Combine(project, "data", "orders.csv"), "order_id,amount\n1,10\n2,20\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "models", "order_count.sql"), "select count(*) as orders from {{ source('orders', 'orders') }}\n", ct);
        var yaml = """
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders, mode: replace }
            schedules:
              every_two_seconds: { cron: "*/2 * * * * *", run: [orders], then: [build: order_count] }
            """;
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), yaml, ct);
        using var serve = ServeProcess.Start(project, null);
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };

        await WaitUntilAsync(() => serve.Log.Contains("Build after run", StringComparison.Ordinal), serve, ct);
        var pipeline = (await http.GetFromJsonAsync<JsonElement>("/api/pipelines", ct))[0];
        pipeline.GetProperty("next_run").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddSeconds(-1));
        serve.Log.ShouldContain("(order_count): succeeded", Case.Sensitive, serve.Log);
        await WaitUntilAsync(() => serve.Log.Split("of orders finished").Length - 1 >= 2, serve, ct);
        var pipelinePage = await http.GetStringAsync("/pipelines/orders", ct);
        (pipelinePage.Split("<polyline").Length - 1).ShouldBe(2, pipelinePage);
        pipelinePage.ShouldContain("Rows loaded per run");

        // A broken edit is reported and ignored: the schedule keeps firing.
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), yaml.Replace("*/2 * * * * *", "not a cron", StringComparison.Ordinal), ct);
        await WaitUntilAsync(() => serve.Log.Contains("was rejected", StringComparison.Ordinal), serve, ct);
        var page = await http.GetStringAsync("/", ct);
        page.ShouldContain("not a cron expression");
        var fired = Count(serve.Log, "fired");
        await WaitUntilAsync(() => Count(serve.Log, "fired") > fired, serve, ct);

        // A good edit is taken: the schedule is gone, so nothing fires any more.
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), yaml[..yaml.IndexOf("schedules:", StringComparison.Ordinal)], ct);
        await WaitUntilAsync(() => serve.Log.Contains("changed and was reloaded: 0 schedule(s)", StringComparison.Ordinal), serve, ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        fired = Count(serve.Log, "fired");
        await Task.Delay(TimeSpan.FromSeconds(4), ct);
        Count(serve.Log, "fired").ShouldBe(fired, serve.Log);
        serve.Terminate();
        (await serve.WaitForExitAsync(TimeSpan.FromSeconds(30), ct)).ShouldBe(0, serve.Log);

        await using var connection = new DuckDBConnection($"Data Source={Path.Combine(project, "warehouse.duckdb")}");
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "select orders from order_count";
        Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(2);
    }

    private static int Count(string text, string word) => text.Split(word).Length - 1;

    private static async Task WaitUntilAsync(Func<bool> condition, ServeProcess serve, CancellationToken ct)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100, ct);
        }

        condition().ShouldBeTrue(serve.Log);
    }
}
