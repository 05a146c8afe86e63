using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Wharf.IntegrationTests.Server;

/// <summary>Alerts of a real <c>wharf serve</c>, received by a real HTTP endpoint: formats, retries, cooldown, recovery.</summary>
public sealed class ServeAlertTests
{
    [Fact]
    public async Task Alerts_ReachTheWebhooks_RetriedHeldBackAndRecovered()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = Listen(out var port);
        var received = new ConcurrentQueue<(string Path, JsonElement Body)>();
        var jsonCalls = 0;
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var context = await listener.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream);
                var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
                // The first call to /json fails as a busy server would: Wharf must try again.
                var fail = context.Request.Url!.AbsolutePath == "/json" && Interlocked.Increment(ref jsonCalls) == 1;
                if (!fail)
                {
                    received.Enqueue((context.Request.Url.AbsolutePath, body));
                }

                context.Response.StatusCode = fail ? 503 : 200;
                context.Response.Close();
            }
        }, ct);

        var project = Directory.CreateTempSubdirectory("wharf-serve-alerts-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        await File.WriteAllTextAsync(Path.Combine(project, "data", "orders.csv"), "order_id,amount\n1,10\n2,\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), $$"""
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders:
                source: files
                files: "*.csv"
                table: orders
                checks: [not_null: [amount]]
                on_check_failure: fail
            alerts:
              ops: { webhook: "http://127.0.0.1:{{port}}/json", retries: 2 }
              chat: { webhook: "http://127.0.0.1:{{port}}/slack", format: slack, on: [run_failed] }
            """, ct);
        using var serve = ServeProcess.Start(project, null);
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };

        await http.PostAsync("/api/pipelines/orders/runs", null, ct);
        await WaitUntilAsync(() => received.Count >= 3, serve, ct);
        var json = received.Where(r => r.Path == "/json").Select(r => r.Body).ToList();
        json.Select(b => b.GetProperty("event").GetString()).Order().ShouldBe(["check_failed", "run_failed"]);
        json.Single(b => b.GetProperty("event").GetString() == "check_failed").GetProperty("details").GetString()!.ShouldContain("amount");
        json.ShouldAllBe(b => b.GetProperty("pipeline").GetString() == "orders");
        received.Single(r => r.Path == "/slack").Body.GetProperty("text").GetString()!.ShouldContain("Pipeline orders failed");
        jsonCalls.ShouldBe(3, "the first /json call failed and was retried");

        // Failing again within the cooldown: held back, not sent.
        await http.PostAsync("/api/pipelines/orders/runs", null, ct);
        await WaitUntilAsync(() => serve.Log.Split("held back").Length - 1 >= 3, serve, ct);
        received.Count.ShouldBe(3);

        await File.WriteAllTextAsync(Path.Combine(project, "data", "orders.csv"), "order_id,amount\n1,10\n2,20\n", ct);
        await http.PostAsync("/api/pipelines/orders/runs", null, ct);
        await WaitUntilAsync(() => received.Any(r => r.Body.TryGetProperty("event", out var e) && e.GetString() == "run_recovered"), serve, ct);
        received.Count(r => r.Path == "/slack").ShouldBe(1, "the chat route takes run_failed only");
    }

    [Fact]
    public async Task FreshnessBreached_IsSentOnceWithinTheCooldown()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = Listen(out var port);
        var received = Receive(listener, ct);
        var project = Directory.CreateTempSubdirectory("wharf-serve-fresh-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        await File.WriteAllTextAsync(Path.Combine(project, "data", "orders.csv"), "order_id,amount\n1,10\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), $$"""
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders, freshness: 2s }
            alerts:
              ops: { webhook: "http://127.0.0.1:{{port}}/", format: teams, on: [freshness_breached] }
            """, ct);
        using var serve = ServeProcess.Start(project, null);
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };
        await http.PostAsync("/api/pipelines/orders/runs", null, ct);

        await WaitUntilAsync(() => !received.IsEmpty, serve, ct);
        await Task.Delay(TimeSpan.FromSeconds(3), ct);

        var card = received.ShouldHaveSingleItem();
        card.GetProperty("@type").GetString().ShouldBe("MessageCard");
        card.GetProperty("title").GetString()!.ShouldContain("Pipeline orders is stale");
    }

    [Fact]
    public async Task Deviation_OfTheRowsLoaded_IsSentOnlyOnceThereIsAHistory_AndOnlyForTheOddRun()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = Listen(out var port);
        var received = Receive(listener, ct);
        var project = Directory.CreateTempSubdirectory("wharf-serve-deviation-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        var csv = Path.Combine(project, "data", "orders.csv");
        await File.WriteAllTextAsync(project + "/wharf.yml", $$"""
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders, deviation: { rows: 50%, runs: 5, min_runs: 3 } }
            alerts:
              ops: { webhook: "http://127.0.0.1:{{port}}/", on: [deviation] }
            """, ct);
        using var serve = ServeProcess.Start(project, null);
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };

        // Three runs of 10 rows make the normal; 2 rows is odd (the first runs had no history to judge by).
        int[] rows = [10, 10, 12, 2, 11];
        for (var run = 0; run < rows.Length; run++)
        {
            await File.WriteAllTextAsync(csv, "order_id\n" + string.Join("\n", Enumerable.Range(1, rows[run])) + "\n", ct);
            (await http.PostAsync("/api/pipelines/orders/runs", null, ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
            await WaitUntilAsync(() => serve.Log.Split(" finished: succeeded").Length - 1 > run, serve, ct);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        var alert = received.ShouldHaveSingleItem(serve.Log);
        alert.GetProperty("event").GetString().ShouldBe("deviation");
        alert.GetProperty("summary").GetString().ShouldBe("Pipeline orders loaded 2 rows, unlike its recent runs");
        alert.GetProperty("details").GetString().ShouldBe("It loaded 2 rows, 80% below the median of its last 3 successful runs (10; limit ±50%).");
        serve.Log.ShouldContain("deviates from its recent runs");
    }

    /// <summary>An HTTP endpoint on a free port of 127.0.0.1, listening.</summary>
    private static HttpListener Listen(out int port)
    {
        port = FreePort();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        return listener;
    }

    /// <summary>Every JSON body posted to <paramref name="listener"/>, answered with 200.</summary>
    private static ConcurrentQueue<JsonElement> Receive(HttpListener listener, CancellationToken ct)
    {
        var received = new ConcurrentQueue<JsonElement>();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var context = await listener.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream);
                received.Enqueue(JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone());
                context.Response.Close();
            }
        }, ct);
        return received;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, ServeProcess serve, CancellationToken ct)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100, ct);
        }

        condition().ShouldBeTrue(serve.Log);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
