using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Server;

/// <summary><c>wharf serve</c> over a PostgreSQL warehouse: readiness, runs, tables and pages read from the real server.</summary>
public sealed class ServePostgresTests(PostgresServer postgres)
{
    [Fact]
    public async Task Serve_OverPostgresWarehouse_ListsRunsTablesAndPages()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync(ct);
        var project = Directory.CreateTempSubdirectory("wharf-serve-pg-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        await File.WriteAllTextAsync(Path.Combine(project, "data", "readings.csv"),
            "ts,turbine_id,power\n2026-01-01T00:00:00Z,7,1200.5\n2026-01-01T00:10:00Z,7,1310.25\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), """
            warehouse: "${DW_URL}"
            connections:
              files: { type: files, path: data/ }
            pipelines:
              readings: { source: files, files: "*.csv", table: readings, schema: raw }
            """, ct);
        using var serve = ServeProcess.Start(project, new Dictionary<string, string> { ["DW_URL"] = database.Url });
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };

        (await http.GetAsync("/ready", ct)).StatusCode.ShouldBe(HttpStatusCode.OK, serve.Log);
        (await http.PostAsync("/api/pipelines/readings/runs", null, ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        JsonElement runs = default;
        for (var i = 0; i < 300 && (runs = await http.GetFromJsonAsync<JsonElement>("/api/runs", ct)).GetArrayLength() == 0; i++)
        {
            await Task.Delay(100, ct);
        }

        runs[0].GetProperty("status").GetString().ShouldBe("succeeded", serve.Log);
        var table = (await http.GetFromJsonAsync<JsonElement>("/api/tables", ct)).EnumerateArray().Single(t => t.GetProperty("name").GetString() == "readings");
        (table.GetProperty("schema").GetString(), table.GetProperty("rows").GetInt64()).ShouldBe(("raw", 2L));
        var page = await http.GetStringAsync("/tables/raw/readings", ct);
        page.ShouldContain("1310.25");
        page.ShouldContain("<polyline");
        var everything = serve.Log + page + await http.GetStringAsync("/", ct) + await http.GetStringAsync("/api/pipelines", ct) + await http.GetStringAsync("/metrics", ct);
        everything.ShouldNotContain(database.ConnectionString.Split("Password=", StringSplitOptions.None).ElementAtOrDefault(1)?.Split(';')[0] ?? "\u0000never");
    }
}
