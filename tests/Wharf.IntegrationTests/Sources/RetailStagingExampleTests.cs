using System.Diagnostics;
using Npgsql;
using Wharf.IntegrationTests.Postgres;
using Wharf.Projects;
using Wharf.Sources;

namespace Wharf.IntegrationTests.Sources;

/// <summary>
/// examples/retail/staging (seed 001) end to end: the DuckDB staging file made by staging.sql,
/// synced into PostgreSQL (DW_URL from .env) in foreign-key order, then changes.sql and an
/// incremental run; every table in PostgreSQL equals the staging file, row for row.
/// </summary>
public sealed class RetailStagingExampleTests(PostgresServer postgres) : IDisposable
{
    private static readonly string Example = Path.Combine(RepositoryRoot.Path, "examples", "retail", "staging");

    private static readonly (string Table, string Key)[] Tables =
        [("clientes", "cliente_id"), ("pedidos", "pedido_id"), ("itens_pedido", "pedido_id, linha"), ("pagamentos", "pagamento_id")];

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public async Task The_staging_file_is_synced_into_PostgreSQL_in_foreign_key_order_then_incrementally()
    {
        foreach (var file in new[] { "wharf.yml", "staging.sql", "changes.sql" })
        {
            File.Copy(Path.Combine(Example, file), Path.Combine(harness.Root, file));
        }

        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        harness.Write(".env", $"DW_URL={warehouse.Url}\n");
        await ExecAsync("staging.sql");
        await ExecAsync("staging.sql"); // idempotent: a second run changes nothing

        var first = await harness.RunAsync();
        first.Succeeded.ShouldBeTrue(string.Join("\n", first.Streams.Select(s => s.Error)));
        var order = first.Streams.Select(s => s.Stream).ToList();
        order.IndexOf("clientes").ShouldBeLessThan(order.IndexOf("pedidos"));
        order.IndexOf("pedidos").ShouldBeLessThan(order.IndexOf("itens_pedido"));
        order.IndexOf("pedidos").ShouldBeLessThan(order.IndexOf("pagamentos"));
        first.Streams.Single(s => s.Stream == "pedidos").RowsExtracted.ShouldBe(1000);
        await ShouldMatchStagingAsync(warehouse);

        await ExecAsync("changes.sql");
        var second = await harness.RunAsync();
        second.Succeeded.ShouldBeTrue(string.Join("\n", second.Streams.Select(s => s.Error)));

        // Only the changed rows were read (and the rows at each table's last watermark).
        second.Streams.Single(s => s.Stream == "pedidos").RowsExtracted.ShouldBeLessThan(150);
        second.Streams.Single(s => s.Stream == "pagamentos").RowsDeleted.ShouldBe(1);
        await ShouldMatchStagingAsync(warehouse);
        (await RowsAsync(warehouse, "SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' ORDER BY 1"))
            .ShouldBe(["loja.itens_pedido -> loja.pedidos", "loja.pagamentos -> loja.pedidos", "loja.pedidos -> loja.clientes"]);
    }

    [Fact]
    public async Task Sync_sh_without_DW_URL_says_so_and_skips()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Example, "sync.sh"));
        start.Environment.Remove("DW_URL");
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(0);
        error.ShouldContain("DW_URL is not set");
        error.ShouldContain("skipped");
        File.Exists(Path.Combine(Example, "staging.duckdb")).ShouldBeFalse();
    }

    private async Task ExecAsync(string script)
    {
        var project = await ProjectLoader.LoadAsync(harness.Root, cancellationToken: TestContext.Current.CancellationToken);
        await ScriptExecutor.ExecuteAsync(project.Connection("staging"), await File.ReadAllTextAsync(Path.Combine(harness.Root, script), TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
    }

    /// <summary>Every table in PostgreSQL holds exactly the staging file's rows (each row's values as text, in key order).</summary>
    private async Task ShouldMatchStagingAsync(TestDatabase warehouse)
    {
        var staging = Path.Combine(harness.Root, "staging.duckdb");
        foreach (var (table, key) in Tables)
        {
            var columns = DuckDbFile.Rows(staging, $"SELECT string_agg(column_name, ',' ORDER BY column_index) FROM duckdb_columns() WHERE table_name = '{table}'")[0];
            var text = string.Join(" || '|' || ", columns.Split(',').Select(c => $"coalesce(CAST({c} AS VARCHAR), '∅')"));
            var expected = DuckDbFile.Rows(staging, $"SELECT {text} FROM {table} ORDER BY {key}");
            expected.Count.ShouldBeGreaterThan(100);
            (await RowsAsync(warehouse, $"SELECT {text} FROM loja.{table} ORDER BY {key}")).ShouldBe(expected, table);
        }
    }

    private static async Task<List<string>> RowsAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
