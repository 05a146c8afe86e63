using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Nested;

/// <summary>
/// An <see cref="IncrementalProject"/> (its warehouse: a DuckDB file or a PostgreSQL database) whose
/// one pipeline, <c>items</c>, reads a nested JSON or NDJSON file, <c>data/orders.&lt;format&gt;</c>,
/// into <c>raw.orders</c> and its child tables. Runs every stream of the pipeline.
/// </summary>
internal sealed class NestedJsonProject : IDisposable
{
    private NestedJsonProject(IncrementalProject project) => Project = project;

    public IncrementalProject Project { get; }

    public static async Task<NestedJsonProject> CreateAsync(PostgresServer server, WarehouseUnderTest kind) =>
        new(await IncrementalProject.CreateAsync(server, kind, "SELECT 1"));

    /// <summary>Writes the documents (a JSON array, or one per line for <c>ndjson</c>) and wharf.yml with these pipeline lines.</summary>
    public NestedJsonProject Write(string format, IReadOnlyList<string> documents, string settings)
    {
        var data = Path.Combine(Project.Root, "data");
        Directory.CreateDirectory(data);
        var text = format == "json" ? "[\n" + string.Join(",\n", documents) + "\n]\n" : string.Join("\n", documents) + "\n";
        File.WriteAllText(Path.Combine(data, $"orders.{format}"), text);
        var warehouse = Project.Warehouse is null ? "warehouse: duckdb:warehouse.duckdb" : $"warehouse: \"{Project.Warehouse.Url}\"";
        var extra = string.Join("\n", settings.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => "    " + l));
        File.WriteAllText(Path.Combine(Project.Root, "wharf.yml"), $"""
            {warehouse}
            connections:
              files: {"{"} type: files, path: data/ {"}"}
            pipelines:
              {IncrementalProject.Pipeline}:
                source: files
                files: orders.{format}
                table: orders
                schema: raw
            {extra}
            """);
        return this;
    }

    /// <summary>Runs the pipeline (every table of the documents); fails the test unless each stream succeeded.</summary>
    public async Task<IReadOnlyList<RunRecord>> RunAsync()
    {
        var summary = await Project.RunRawAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => $"{s.Stream}: {s.Error}")));
        return summary.Streams;
    }

    /// <summary>The rows of a query on the warehouse, each as its values joined by " | " (see <see cref="IncrementalProject.Format"/>).</summary>
    public async Task<List<string>> RowsAsync(string sql) =>
        [.. (await Project.WarehouseRowsAsync(sql)).Select(row => string.Join(" | ", row.Select(IncrementalProject.Format)))];

    /// <summary>The tables of <c>raw</c>, by name.</summary>
    public Task<List<string>> TablesAsync() =>
        RowsAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY table_name");

    /// <summary>A table's columns in order, without the run metadata.</summary>
    public Task<List<string>> ColumnsAsync(string table) => RowsAsync($"""
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'raw' AND table_name = '{table}' AND column_name NOT IN ('_wharf_run_id', '_wharf_loaded_at')
        ORDER BY ordinal_position
        """);

    /// <summary>A column's type as the warehouse names it (<c>jsonb</c>, <c>bigint</c>, <c>JSON</c>…).</summary>
    public async Task<string> TypeAsync(string table, string column) => (await RowsAsync(Project.Warehouse is null
        ? $"SELECT data_type FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = '{table}' AND column_name = '{column}'"
        : $"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'raw.{table}'::regclass AND attname = '{column}' AND NOT attisdropped"))
        .ShouldHaveSingleItem($"{table}.{column}");

    /// <summary>The last run's audit rows: stream, status, inserted, updated, deleted, unchanged.</summary>
    public Task<List<string>> LastRunAsync() => RowsAsync("""
        SELECT stream, status, rows_inserted, rows_updated, rows_deleted, rows_unchanged FROM _wharf.runs
        WHERE run_id = (SELECT max(run_id) FROM _wharf.runs) ORDER BY stream
        """);

    public void Dispose() => Project.Dispose();
}
