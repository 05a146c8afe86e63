using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;
using Wharf.Schema;

namespace Wharf.IntegrationTests.Schema;

/// <summary>
/// An <see cref="IncrementalProject"/> (a PostgreSQL source database and a DuckDB or PostgreSQL
/// warehouse) with a files connection too, on <c>data/</c>, and one pipeline, <c>items</c>,
/// written in full by each test: CSV files or the source's tables into <c>raw.items</c>.
/// </summary>
internal sealed class SchemaProject : IDisposable
{
    public const string Pipeline = IncrementalProject.Pipeline;

    private SchemaProject(IncrementalProject project) => Project = project;

    public IncrementalProject Project { get; }

    public WarehouseUnderTest Kind => Project.Kind;

    public string Root => Project.Root;

    public static async Task<SchemaProject> CreateAsync(PostgresServer server, WarehouseUnderTest kind, string sourceSql = "SELECT 1") =>
        new(await IncrementalProject.CreateAsync(server, kind, sourceSql));

    /// <summary>A CSV file under <c>data/</c>, written anew for the next run.</summary>
    public SchemaProject Csv(string text, string name = "items.csv")
    {
        var path = Path.Combine(Root, "data", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return this;
    }

    /// <summary>Writes wharf.yml: the warehouse, the <c>files</c> and <c>src</c> connections, and the pipeline <c>items</c> with these lines.</summary>
    public SchemaProject Configure(string pipeline)
    {
        var warehouse = Project.Warehouse is null ? "warehouse: duckdb:warehouse.duckdb" : $"warehouse: \"{Project.Warehouse.Url}\"";
        var body = string.Join("\n", pipeline.Split('\n').Where(l => l.Trim().Length > 0).Select(line => "    " + line.TrimEnd()));
        File.WriteAllText(Path.Combine(Root, "wharf.yml"), $"""
            {warehouse}
            connections:
              files: {"{"} type: files, path: data/ {"}"}
              src: {"{"} type: postgres, url: "{Project.Source.Url}" {"}"}
            pipelines:
              {Pipeline}:
            {body}
            """);
        return this;
    }

    /// <summary>A CSV pipeline into raw.items, from data/items.csv, with these extra lines.</summary>
    public SchemaProject ConfigureCsv(string extra = "mode: append") => Configure($"""
        source: files
        files: items.csv
        table: items
        schema: raw
        {extra}
        """);

    /// <summary>A pipeline from the source table <c>items</c> into raw.items, with these extra lines.</summary>
    public SchemaProject ConfigureTable(string extra = "mode: append") => Configure($"""
        source: src
        tables: [items]
        schema: raw
        {extra}
        """);

    /// <summary>Runs the pipeline; fails the test unless it succeeded.</summary>
    public Task<RunRecord> RunAsync() => Project.RunAsync();

    /// <summary>Runs the pipeline, which must fail; returns the failed stream's run id and error.</summary>
    public async Task<FailedRun> RunFailsAsync()
    {
        var summary = await Project.RunRawAsync();
        summary.Succeeded.ShouldBeFalse("the run was expected to fail");
        var failed = summary.Streams.ShouldHaveSingleItem();
        failed.Status.ShouldBe(RunStatus.Failed);
        return new FailedRun(failed.RunId, failed.Error.ShouldNotBeNull());
    }

    /// <summary>The rows of a query on the warehouse, each as its values joined by " | " (see <see cref="IncrementalProject.Format"/>).</summary>
    public async Task<List<string>> RowsAsync(string sql) =>
        [.. (await Project.WarehouseRowsAsync(sql)).Select(row => string.Join(" | ", row.Select(IncrementalProject.Format)))];

    /// <summary>Whether <c>raw.&lt;table&gt;</c> exists in the warehouse.</summary>
    public async Task<bool> ExistsAsync(string table = "items") =>
        (long)(await Project.WarehouseScalarAsync($"SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = '{table}'"))! > 0;

    /// <summary>The warehouse columns of raw.items, in order.</summary>
    public async Task<List<string>> ColumnsAsync(string table = "items") =>
        [.. (await Project.WarehouseRowsAsync($"SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = '{table}' ORDER BY ordinal_position"))
            .Select(r => (string)r[0]!).Where(c => !c.StartsWith("_wharf_", StringComparison.Ordinal))];

    /// <summary>A warehouse column's type as Wharf names it (<c>decimal(8,4)</c>, <c>int64</c>, <c>text</c>…), read the warehouse's own way.</summary>
    public async Task<string> TypeAsync(string column, string table = "items")
    {
        if (Project.Warehouse is null)
        {
            var type = (string)(await Project.WarehouseScalarAsync(
                $"SELECT data_type FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = '{table}' AND column_name = '{column}'"))!;
            return LogicalType.FromDuckDb(type).ToString();
        }

        var postgresType = (string)(await Project.WarehouseScalarAsync(
            $"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'raw.{table}'::regclass AND attname = '{column}' AND NOT attisdropped"))!;
        return LogicalType.FromPostgres(postgresType).ToString();
    }

    /// <summary>The audit row's discarded count and notes, as stored in <c>_wharf.runs</c>.</summary>
    public async Task<(long Discarded, string? Notes)> AuditNotesAsync(string runId)
    {
        var row = (await Project.WarehouseRowsAsync($"SELECT rows_discarded, notes FROM _wharf.runs WHERE run_id = '{runId}' AND pipeline = '{Pipeline}'"))
            .ShouldHaveSingleItem($"one _wharf.runs row for run {runId}");
        return ((long)row[0]!, (string?)row[1]);
    }

    /// <summary>Every _wharf.runs row of the pipeline, oldest first: run id, status, rows loaded.</summary>
    public async Task<List<string>> AuditTrailAsync() =>
        await RowsAsync($"SELECT run_id, status, rows_loaded FROM _wharf.runs WHERE pipeline = '{Pipeline}' ORDER BY started_at, run_id");

    public void Dispose() => Project.Dispose();
}

/// <summary>A run that failed: its id and the error it recorded.</summary>
internal sealed record FailedRun(string RunId, string Error);
