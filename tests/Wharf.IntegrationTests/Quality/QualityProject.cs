using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Quality;

/// <summary>
/// A project for the data-quality tests: CSV files under <c>data/</c> (connection <c>files</c>), a
/// PostgreSQL source database (connection <c>src</c>) and a warehouse (DuckDB file or PostgreSQL),
/// with pipelines written per test. Built on <see cref="IncrementalProject"/>, which owns the
/// databases, the folder and the readers; this adds the files, the project file, the CLI and the
/// quality tables (<c>__quarantine</c>, <c>_wharf.check_results</c>, the audit's set-aside counts).
/// </summary>
internal sealed class QualityProject : IDisposable
{
    private readonly IncrementalProject project;

    private QualityProject(IncrementalProject project) => this.project = project;

    public WarehouseUnderTest Kind => project.Kind;

    public string Root => project.Root;

    /// <param name="sourceSql">Tables for the PostgreSQL source (connection <c>src</c>), if the test reads one.</param>
    public static async Task<QualityProject> CreateAsync(PostgresServer server, WarehouseUnderTest kind, string sourceSql = "select 1")
    {
        var project = await IncrementalProject.CreateAsync(server, kind, sourceSql);
        Directory.CreateDirectory(Path.Combine(project.Root, "data"));
        return new QualityProject(project);
    }

    /// <summary>Writes (or replaces) a file under <c>data/</c>.</summary>
    public QualityProject File(string name, string content)
    {
        System.IO.File.WriteAllText(Path.Combine(Root, "data", name), content);
        return this;
    }

    /// <summary>Deletes a file under <c>data/</c>.</summary>
    public QualityProject Delete(string name)
    {
        System.IO.File.Delete(Path.Combine(Root, "data", name));
        return this;
    }

    /// <summary>Writes wharf.yml: the warehouse, the connections <c>files</c> and <c>src</c>, and these pipelines.</summary>
    /// <param name="pipelines">The body of <c>pipelines:</c>, indented by two spaces per level from column 0.</param>
    public QualityProject Pipelines(string pipelines)
    {
        var warehouse = project.Warehouse is null ? "duckdb:warehouse.duckdb" : $"\"{project.Warehouse.Url}\"";
        var body = string.Join("\n", pipelines.Split('\n').Select(line => line.Length == 0 ? line : "  " + line));
        System.IO.File.WriteAllText(Path.Combine(Root, "wharf.yml"), $"""
            warehouse: {warehouse}
            connections:
              files: {"{"} type: files, path: data/ {"}"}
              src: {"{"} type: postgres, url: "{project.Source.Url}" {"}"}
            pipelines:

            """ + body + "\n");
        return this;
    }

    /// <summary>Runs every pipeline in-process, in the order of the project file.</summary>
    public Task<RunSummary> RunAsync() => project.RunRawAsync();

    /// <summary>Runs every pipeline; fails the test unless all succeeded.</summary>
    public async Task<RunSummary> RunOkAsync()
    {
        var summary = await RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => $"{s.Pipeline}: {s.Error}")));
        return summary;
    }

    /// <summary>The real <c>wharf</c> CLI, <c>wharf ARGS --project ROOT</c>.</summary>
    public Task<WharfChild.Result> CliAsync(params string[] args) =>
        WharfChild.RunAsync(Root, null, TestContext.Current.CancellationToken, args);

    public Task ExecuteSourceAsync(string sql) => project.ExecuteSourceAsync(sql);

    public Task ExecuteWarehouseAsync(string sql) => project.ExecuteWarehouseAsync(sql);

    /// <summary>Rows of a warehouse query, each as its values joined by <c>" | "</c> (see <see cref="IncrementalProject.Format"/>).</summary>
    public async Task<List<string>> RowsAsync(string sql) =>
        [.. (await project.WarehouseRowsAsync(sql)).Select(row => string.Join(" | ", row.Select(IncrementalProject.Format)))];

    public Task<object?> ScalarAsync(string sql) => project.WarehouseScalarAsync(sql);

    public async Task<long> CountAsync(string table) => (long)(await ScalarAsync($"select count(*) from {table}"))!;

    public async Task<bool> TableExistsAsync(string schema, string table) =>
        (long)(await ScalarAsync($"select count(*) from information_schema.tables where table_schema = '{schema}' and table_name = '{table}'"))! == 1;

    /// <summary>The ids of a table (an integer column <c>id</c>), ascending.</summary>
    public async Task<List<long>> IdsAsync(string table, string column = "id") =>
        [.. (await project.WarehouseRowsAsync($"select {column} from {table} order by {column}")).Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// A run's rows of <c>_wharf.check_results</c>, sorted (ordinal):
    /// <c>check | kind | severity | status | failing | checked | message</c>.
    /// </summary>
    public async Task<List<string>> CheckResultsAsync(string runId, string? table = null) => [.. (await RowsAsync($"""
        select check_name, check_kind, severity, status, failing_rows, checked_rows, message from _wharf.check_results
        where run_id = '{runId}'{(table is null ? "" : $" and table_name = '{table}'")}
        """)).Order(StringComparer.Ordinal)];

    /// <summary>A run's <c>_wharf.runs</c> row for one pipeline: <c>status | extracted | loaded | inserted | updated | quarantined | discarded</c>.</summary>
    public async Task<string> AuditAsync(string runId, string pipeline) => (await RowsAsync($"""
        select status, rows_extracted, rows_loaded, rows_inserted, rows_updated, rows_quarantined, rows_discarded
        from _wharf.runs where run_id = '{runId}' and pipeline = '{pipeline}'
        """)).ShouldHaveSingleItem($"one _wharf.runs row for {pipeline} in run {runId}");

    public void Dispose() => project.Dispose();
}

/// <summary>Finding one pipeline's record in a run summary.</summary>
internal static class RunSummaryExtensions
{
    public static RunRecord For(this RunSummary summary, string pipeline) =>
        summary.Streams.Where(s => s.Pipeline == pipeline).ShouldHaveSingleItem($"one record for pipeline {pipeline}");
}
