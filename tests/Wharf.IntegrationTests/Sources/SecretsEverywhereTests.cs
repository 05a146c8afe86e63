using System.Net;
using System.Text;
using Npgsql;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Sources;

/// <summary>
/// Credentials in URLs, in .env and in the environment, through every command a user runs (run,
/// runs, check, replay, lineage, export, docs, query, discover, test-connection, a failing run):
/// no secret in any output, any file Wharf wrote (lake manifests, run logs, OpenLineage events,
/// exports, the docs site), or any row of Wharf's own tables.
/// </summary>
public sealed class SecretsEverywhereTests(PostgresServer postgres) : IDisposable
{
    private const string SourceSecret = "src-Pw0rd!in-url";
    private const string WarehouseSecret = "dw-Pw0rd#from-env";
    private const string ApiKey = "api-K3y-in-the-query";

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public async Task EveryCommand_EveryFile_EveryAuditRow_HoldsNoSecret()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await postgres.CreateDatabaseAsync(ct);
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        await ExecuteAsync(source.ConnectionString, "CREATE TABLE items (id int PRIMARY KEY, name text, amount numeric(8,2)); INSERT INTO items VALUES (1, 'a', 1.50), (2, 'b', -2.00);", ct);
        using var api = ApiServer.Start(ApiKey);

        var pg = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        harness.Write(".env", $"DW_PASSWORD={WarehouseSecret}\nAPI_KEY={ApiKey}\n");
        harness.WithProject($$"""
            warehouse: "postgres://{{pg.Username}}:${DW_PASSWORD}@{{pg.Host}}:{{pg.Port}}/{{warehouse.Name}}"
            lineage: { openlineage: { file: lineage/events.ndjson } }
            connections:
              shop: { type: postgres, url: "postgres://{{pg.Username}}:{{Uri.EscapeDataString(SourceSecret)}}@{{pg.Host}}:{{pg.Port}}/{{source.Name}}" }
              gone: { type: postgres, url: "postgres://{{pg.Username}}:${SRC_ENV_PASSWORD}@127.0.0.1:1/nowhere" }
              api: { type: http, base_url: "{{api.Url}}", auth: { type: api_key, name: key, in: query, key: "${API_KEY}" } }
            pipelines:
              sync: { source: shop, tables: [items], mode: replace, schema: raw, checks: [{ range: { column: amount, min: 0 }, severity: warn }] }
              movies: { source: api, endpoint: /movies, records: items, table: movies }
              broken: { source: gone, tables: [items], mode: replace }
            """);
        var environment = new Dictionary<string, string> { ["SRC_ENV_PASSWORD"] = "env-Pw0rd-from-process" };

        var outputs = new StringBuilder();
        async Task<WharfChild.Result> Wharf(params string[] args)
        {
            var result = await WharfChild.RunWithEnvironmentAsync(harness.Root, environment, ct, args);
            outputs.Append(result).Append('\n');
            return result;
        }

        (await Wharf("run", "sync", "movies", "--verbose")).ExitCode.ShouldBe(0, outputs.ToString());
        (await Wharf("run", "broken", "--log-format", "json")).ExitCode.ShouldBe(1);
        (await Wharf("runs")).ExitCode.ShouldBe(0);
        (await Wharf("runs", "--format", "json")).ExitCode.ShouldBe(0);
        (await Wharf("check", "sync")).ExitCode.ShouldBe(0);
        (await Wharf("replay", "sync")).ExitCode.ShouldBe(0, outputs.ToString());
        (await Wharf("lineage", "raw.items")).ExitCode.ShouldBe(0, outputs.ToString());
        (await Wharf("export", "raw.items", "--to", "exports/items.csv")).ExitCode.ShouldBe(0, outputs.ToString());
        (await Wharf("docs", "--out", "site")).ExitCode.ShouldBe(0, outputs.ToString());
        (await Wharf("query", "select count(*) from raw.items")).ExitCode.ShouldBe(0);
        (await Wharf("discover", "shop")).ExitCode.ShouldBe(0, outputs.ToString());
        (await Wharf("test-connection", "shop")).ExitCode.ShouldBe(0);
        (await Wharf("test-connection", "gone")).ExitCode.ShouldNotBe(0);
        (await Wharf("test-connection", "--warehouse")).ExitCode.ShouldBe(0, outputs.ToString());
        api.Requests.ShouldBeGreaterThan(0, "the HTTP pipeline really sent its key");

        var written = Directory.EnumerateFiles(harness.Root, "*", SearchOption.AllDirectories)
            // The user's own files hold the secrets (one inline in wharf.yml); everything else is Wharf's.
            .Where(f => Path.GetFileName(f) is not (".env" or "wharf.yml") && !f.EndsWith(".parquet", StringComparison.Ordinal))
            .ToList();
        written.ShouldContain(f => f.Contains("/.wharf/logs/", StringComparison.Ordinal), "the run logs are among the files looked at");
        written.ShouldContain(f => f.EndsWith(".manifest.json", StringComparison.Ordinal));
        written.ShouldContain(f => f.EndsWith("events.ndjson", StringComparison.Ordinal));
        var everything = new List<(string Where, string Text)> { ("the commands' output", outputs.ToString()) };
        everything.AddRange(written.Select(f => (f, File.ReadAllText(f))));
        everything.Add(("Wharf's tables", await WharfTablesAsync(warehouse.ConnectionString, ct)));

        foreach (var (where, text) in everything)
        {
            foreach (var secret in new[] { SourceSecret, Uri.EscapeDataString(SourceSecret), WarehouseSecret, ApiKey, environment["SRC_ENV_PASSWORD"] })
            {
                text.Contains(secret, StringComparison.Ordinal).ShouldBeFalse($"a secret in {where}");
            }
        }
    }

    /// <summary>Every row of every table in the _wharf schema, as text.</summary>
    private static async Task<string> WharfTablesAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = '_wharf'", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        tables.ShouldContain("runs");
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var dump = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM _wharf.\"{table}\" t", connection);
            text.Append(table).Append(": ").Append(await dump.ExecuteScalarAsync(ct)).Append('\n');
        }

        return text.ToString();
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>An API on 127.0.0.1 that answers only requests carrying the key in the query.</summary>
    private sealed class ApiServer : IDisposable
    {
        private readonly HttpListener listener;
        private int requests;

        private ApiServer(HttpListener listener, string url)
        {
            this.listener = listener;
            Url = url;
        }

        public string Url { get; }

        public int Requests => requests;

        public static ApiServer Start(string key)
        {
            using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            var server = new ApiServer(listener, $"http://127.0.0.1:{port}/");
            _ = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    var context = await listener.GetContextAsync();
                    Interlocked.Increment(ref server.requests);
                    var ok = context.Request.QueryString["key"] == key;
                    context.Response.StatusCode = ok ? 200 : 401;
                    var body = Encoding.UTF8.GetBytes(ok ? """{"items": [{"id": 1, "title": "Alien"}, {"id": 2, "title": "Heat"}]}""" : """{"error": "bad key"}""");
                    context.Response.ContentType = "application/json";
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
            });
            return server;
        }

        public void Dispose() => listener.Close();
    }
}
