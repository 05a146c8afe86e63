using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Wharf.IntegrationTests.Server;

/// <summary>The JSON API, pages, /metrics and the token of a real <c>wharf serve</c> over a DuckDB warehouse.</summary>
public sealed class ServeApiTests
{
    // In a connection URL that no response, page, metric or log line may show.
    private const string Password = "pw-never-shown-7f3a";
    private const string Token = "token-0123456789abcdef-never-shown";

    [Fact]
    public async Task Api_AfterRunStartedOverHttp_ShowsItEverywhereWithoutSecrets()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await ProjectAsync(withToken: false, ct);
        using var serve = ServeProcess.Start(project, Environment());
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };

        (await http.GetAsync("/health", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/ready", ct)).StatusCode.ShouldBe(HttpStatusCode.OK, serve.Log);
        (await http.PostAsync("/api/pipelines/orders/runs", null, ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted, serve.Log);
        (await http.PostAsync("/api/pipelines/nope/runs", null, ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var runs = await WaitForRunAsync(http, ct);

        var run = runs[0];
        run.GetProperty("status").GetString().ShouldBe("succeeded", serve.Log);
        run.GetProperty("rows_loaded").GetInt64().ShouldBe(3);
        run.GetProperty("kind").GetString().ShouldBe("load");
        run.GetProperty("started_by").GetString().ShouldBe(System.Environment.UserName);
        run.GetProperty("host").GetString().ShouldBe(System.Environment.MachineName);
        run.GetProperty("stages").GetProperty("load_seconds").ValueKind.ShouldBe(JsonValueKind.Number);
        run.GetProperty("bytes_written").GetInt64().ShouldBeGreaterThan(0);
        var id = run.GetProperty("run_id").GetString()!;
        // (Once, in a loaded CI run, this answered 404 just after the list showed the run: the
        // message keeps what is needed to find out why, should it happen again.)
        var byId = await http.GetAsync($"/api/runs/{id}", ct);
        var byIdBody = await byId.Content.ReadAsStringAsync(ct);
        byId.StatusCode.ShouldBe(HttpStatusCode.OK,
            $"{byIdBody}\n--- /api/runs now: {await http.GetStringAsync("/api/runs", ct)}\n--- listed before: {runs}\n--- serve log:\n{serve.Log}");
        JsonDocument.Parse(byIdBody).RootElement.GetProperty("streams")[0].GetProperty("target").GetString().ShouldBe("main.orders");
        (await http.GetAsync("/api/runs/19700101T000000000Z-000000", ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("/api/runs?status=bogus", ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.GetFromJsonAsync<JsonElement>("/api/runs?status=failed", ct)).GetArrayLength().ShouldBe(0);
        (await http.GetFromJsonAsync<JsonElement>("/api/runs?since=2999-01-01", ct)).GetArrayLength().ShouldBe(0);

        var pipeline = (await http.GetFromJsonAsync<JsonElement>("/api/pipelines", ct))[0];
        pipeline.GetProperty("last_run").GetProperty("run_id").GetString().ShouldBe(id);
        pipeline.GetProperty("freshness_sla_seconds").GetDouble().ShouldBe(7200);
        pipeline.GetProperty("stale").GetBoolean().ShouldBeFalse();
        var table = (await http.GetFromJsonAsync<JsonElement>("/api/tables", ct)).EnumerateArray().Single(t => t.GetProperty("name").GetString() == "orders");
        table.GetProperty("rows").GetInt64().ShouldBe(3);

        var everything = new List<string> { serve.Log };
        foreach (var path in (string[])["/", "/runs", $"/runs/{id}", "/tables", "/metrics", "/api/pipelines", "/api/runs", "/ready"])
        {
            var response = await http.GetAsync(path, ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            everything.Add(await response.Content.ReadAsStringAsync(ct));
        }

        everything[1].ShouldContain("orders");
        everything[3].ShouldContain("main.orders");
        everything[3].ShouldContain("orders loaded 3 rows into main.orders", customMessage: "the run's page shows its log lines");
        everything[5].ShouldContain("wharf_runs_total{pipeline=\"orders\",status=\"succeeded\"} 1");
        everything[5].ShouldContain("wharf_rows_loaded_total{pipeline=\"orders\",table=\"main.orders\"} 3");
        everything[5].ShouldContain("wharf_freshness_sla_seconds{pipeline=\"orders\"} 7200");
        foreach (var text in everything)
        {
            text.ShouldNotContain(Password);
        }
    }

    [Fact]
    public async Task Serve_OnOtherAddressWithoutToken_RefusesToStart()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await ProjectAsync(withToken: false, ct);
        using var serve = ServeProcess.Start(project, Environment(), "--host", "0.0.0.0");

        (await serve.WaitForExitAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(1);
        serve.Log.ShouldContain("sets no token");
    }

    [Fact]
    public async Task Serve_WhenPortIsTaken_SaysSoAndExits()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await ProjectAsync(withToken: false, ct);
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var serve = ServeProcess.Start(project, Environment(), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        (await serve.WaitForExitAsync(TimeSpan.FromSeconds(60), ct)).ShouldBe(1);
        serve.Log.ShouldContain($"cannot listen on 127.0.0.1:{port}");
        serve.Log.ShouldNotContain("This is a bug in Wharf");
    }

    [Fact]
    public async Task Serve_WithToken_RejectsMissingAndWrongTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = await ProjectAsync(withToken: true, ct);
        using var serve = ServeProcess.Start(project, Environment(), "--host", "0.0.0.0");
        var listening = await serve.ListeningAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{listening.Port}") };

        (await http.GetAsync("/health", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/metrics", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("/api/runs", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await http.PostAsync("/api/pipelines/orders/runs", null, ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Send(http, HttpMethod.Post, "/api/pipelines/orders/runs", "wrong-token-wrong-token", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await Send(http, HttpMethod.Get, "/api/runs", "wrong-token-wrong-token", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await Send(http, HttpMethod.Get, "/api/runs", Token, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Send(http, HttpMethod.Post, "/api/pipelines/orders/runs", Token, ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await http.GetAsync($"/?token={Token}", ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        serve.Log.ShouldNotContain(Token);
    }

    private static async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request, ct);
    }

    private static async Task<JsonElement> WaitForRunAsync(HttpClient http, CancellationToken ct)
    {
        for (var i = 0; i < 300; i++)
        {
            var runs = await http.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=orders&limit=5", ct);
            if (runs.GetArrayLength() > 0)
            {
                return runs;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException("The run started over HTTP did not show in /api/runs within 30 s.");
    }

    private static Dictionary<string, string> Environment() => new()
    {
        ["SHOP_URL"] = $"postgres://etl:{Password}@127.0.0.1:1/shop",
        ["WHARF_TOKEN"] = Token,
    };

    private static async Task<string> ProjectAsync(bool withToken, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("wharf-serve-api-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        await File.WriteAllTextAsync(Path.Combine(directory, "data", "orders.csv"), "order_id,amount\n1,10.5\n2,20\n3,7.25\n", ct);
        await File.WriteAllTextAsync(Path.Combine(directory, "wharf.yml"), $$"""
            connections:
              files: { type: files, path: data/ }
              shop: { type: postgres, url: "${SHOP_URL}" }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders, freshness: 2h }
            {{(withToken ? "server: { auth: { token: \"${WHARF_TOKEN}\" } }" : "")}}
            """, ct);
        return directory;
    }
}
