using Wharf.IntegrationTests.Incremental;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// A project whose pipelines read files from one remote connection: each location's tests say
/// the connection's YAML (secrets as ${VARs} of a .env) and the pipelines, then run in-process or
/// through the CLI, and read the warehouse.
/// </summary>
internal abstract class LocationProject(IncrementalProject project) : IDisposable
{
    public string Root => project.Root;

    /// <summary>Writes wharf.yml with <paramref name="connection"/> (a YAML flow map, named <paramref name="name"/>) and the pipelines, and .env.</summary>
    protected void Write(string name, string connection, string pipelines, string env = "")
    {
        var warehouse = project.Warehouse is null ? "duckdb:warehouse.duckdb" : $"\"{project.Warehouse.Url}\"";
        var body = string.Join("\n", pipelines.Split('\n').Select(line => line.Length == 0 ? line : "  " + line));
        File.WriteAllText(Path.Combine(Root, ".env"), env);
        File.WriteAllText(Path.Combine(Root, "wharf.yml"), $$"""
            warehouse: {{warehouse}}
            connections:
              {{name}}: {{connection}}
            pipelines:

            """ + body + "\n");
    }

    public async Task<RunSummary> RunOkAsync()
    {
        var summary = await project.RunRawAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => $"{s.Pipeline}: {s.Error}")));
        return summary;
    }

    public Task<RunSummary> RunAsync() => project.RunRawAsync();

    public Task<WharfChild.Result> CliAsync(params string[] args) => WharfChild.RunAsync(Root, null, TestContext.Current.CancellationToken, args);

    public async Task<List<string>> RowsAsync(string sql) =>
        [.. (await project.WarehouseRowsAsync(sql)).Select(row => string.Join(" | ", row.Select(IncrementalProject.Format)))];

    public void Dispose() => project.Dispose();
}
