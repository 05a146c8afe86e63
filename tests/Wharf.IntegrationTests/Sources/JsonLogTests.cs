using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Sources;

/// <summary>
/// <c>wharf run --log-format json</c> (a real CLI process): every line on standard error is one
/// JSON object with the fields log shippers read, and no secret (passwords in URLs, from .env)
/// appears in any line of the output, the logs or the audit table.
/// </summary>
public sealed class JsonLogTests(PostgresServer postgres) : IDisposable
{
    private const string SourceSecret = "src-S3cr3t!pw";
    private const string WarehouseSecret = "dw-T0pS3cr3t#pw";

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public async Task Every_log_line_is_a_JSON_object_and_none_holds_a_secret()
    {
        var source = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await using (var connection = new NpgsqlConnection(source.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'a'), (2, 'b');", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        string UrlFor(string database, string variable) => $"postgres://{builder.Username}:${{{variable}}}@{builder.Host}:{builder.Port}/{database}";
        harness.Write(".env", $"SRC_PASSWORD={SourceSecret}\nDW_PASSWORD={WarehouseSecret}\n");
        harness.WithProject($$"""
            warehouse: "{{UrlFor(warehouse.Name, "DW_PASSWORD")}}"
            connections:
              shop: { type: postgres, url: "{{UrlFor(source.Name, "SRC_PASSWORD")}}" }
              gone: { type: postgres, url: "postgres://{{builder.Username}}:${SRC_PASSWORD}@127.0.0.1:1/nowhere" }
            pipelines:
              sync: { source: shop, tables: [items], mode: replace, schema: raw }
              broken: { source: gone, tables: [items], mode: replace }
            """);

        var (exit, output, error) = await RunWharfAsync("run", "--log-format", "json", "--verbose", "--project", harness.Root);

        exit.ShouldBe(1, error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.ShouldNotBeEmpty();
        var logged = lines.Where(l => l.StartsWith('{')).ToList();
        foreach (var line in logged)
        {
            using var json = JsonDocument.Parse(line);
            foreach (var field in new[] { "time", "level", "run_id", "pipeline", "stream", "stage", "message", "exception" })
            {
                json.RootElement.TryGetProperty(field, out _).ShouldBeTrue($"{field} in {line}");
            }
        }

        logged.ShouldContain(l => l.Contains("\"stage\":\"extract\"", StringComparison.Ordinal) && l.Contains("\"pipeline\":\"sync\"", StringComparison.Ordinal));
        logged.ShouldContain(l => l.Contains("\"level\":\"error\"", StringComparison.Ordinal) && l.Contains("\"exception\":\"", StringComparison.Ordinal));
        foreach (var text in new[] { output, error })
        {
            text.ShouldNotContain(SourceSecret);
            text.ShouldNotContain(WarehouseSecret);
        }

        await using var dw = new NpgsqlConnection(warehouse.ConnectionString);
        await dw.OpenAsync(TestContext.Current.CancellationToken);
        await using var audit = new NpgsqlCommand("SELECT string_agg(r::text, E'\\n') FROM _wharf.runs r", dw);
        var rows = (string)(await audit.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        rows.ShouldContain("broken");
        rows.ShouldNotContain(SourceSecret);
        rows.ShouldNotContain(WarehouseSecret);
    }

    [Fact]
    public async Task WHARF_LOG_FORMAT_json_does_the_same_and_an_unknown_format_is_a_usage_error()
    {
        harness.Write("data/t.csv", "id\n1\n");
        harness.WithProject("""
            connections:
              local: { type: files, path: data }
            pipelines:
              t: { source: local, files: t.csv, mode: replace }
            """);

        var (exit, _, error) = await RunWharfAsync(new Dictionary<string, string> { ["WHARF_LOG_FORMAT"] = "json" }, "run", "--project", harness.Root);
        exit.ShouldBe(0, error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldNotBeEmpty();
        lines.ShouldAllBe(l => l.StartsWith('{'));
        lines.ShouldContain(l => l.Contains("\"stage\":\"load\"", StringComparison.Ordinal));

        var bad = await RunWharfAsync("run", "--log-format", "xml", "--project", harness.Root);
        bad.Exit.ShouldBe(2);
        bad.Error.ShouldContain("--log-format (or WHARF_LOG_FORMAT) must be human or json, not 'xml'");
    }

    private static Task<(int Exit, string Output, string Error)> RunWharfAsync(params string[] args) => RunWharfAsync(null, args);

    private static async Task<(int Exit, string Output, string Error)> RunWharfAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wharf.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("WHARF_LOG_FORMAT");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
