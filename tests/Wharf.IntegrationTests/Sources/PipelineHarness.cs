using Microsoft.Extensions.Logging.Abstractions;
using Wharf.DuckDb;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Sources;

/// <summary>A project folder with a wharf.yml; runs it in-process and reads the DuckDB warehouse back.</summary>
internal sealed class PipelineHarness : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-it-");

    public string Root => directory.FullName;

    public string Warehouse => Path.Combine(Root, "warehouse.duckdb");

    public PipelineHarness WithProject(string yaml)
    {
        File.WriteAllText(Path.Combine(Root, "wharf.yml"), yaml);
        return this;
    }

    /// <summary>A project whose pipeline <c>shop</c> loads <c>orders.csv</c> (with <paramref name="csv"/> in it) into <c>raw.orders</c>, replacing it.</summary>
    public PipelineHarness WithShopOrders(string csv)
    {
        File.WriteAllText(Path.Combine(Root, "orders.csv"), csv);
        return WithProject("""
            connections:
              local: { type: files, path: . }
            pipelines:
              shop:
                source: local
                files: orders.csv
                table: orders
                schema: raw
                mode: replace
            """);
    }

    /// <summary>Writes a file of the project (folders made as needed).</summary>
    public void Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>How long a run waits for locks (<c>--wait</c>); none by default.</summary>
    public TimeSpan WaitForLock { get; set; }

    /// <summary>Where the runs log; nowhere by default.</summary>
    public Microsoft.Extensions.Logging.ILogger Logger { get; set; } = NullLogger.Instance;

    public Task<RunSummary> RunAsync(params string[] pipelines) => RunAsync(fullRefresh: false, pipelines);

    /// <summary>Runs the project's warehouse (DuckDB file or PostgreSQL, as wharf.yml says); <paramref name="fullRefresh"/> is <c>--full-refresh</c>.</summary>
    public async Task<RunSummary> RunAsync(bool fullRefresh, params string[] pipelines)
    {
        var project = await ProjectLoader.LoadAsync(Root, cancellationToken: TestContext.Current.CancellationToken);
        using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        var runner = new Runner(project, warehouse, TimeProvider.System, Logger) { FullRefresh = fullRefresh, WaitForLock = WaitForLock };
        try
        {
            return await runner.RunAsync(pipelines, null, TestContext.Current.CancellationToken);
        }
        finally
        {
            // The run's pooled connections (one database per test) would otherwise idle for minutes
            // and, across the suite, exhaust the server's connections. Only idle ones are closed.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>The first value of the query's first row (null when none); a BLOB as its bytes.</summary>
    public object? Scalar(string sql)
    {
        using var connection = DuckDbConnections.Open(Warehouse);
        connection.Execute("SET TimeZone = 'UTC'");
        using var reader = connection.Query(sql);
        if (!reader.Read() || reader.IsDBNull(0))
        {
            return null;
        }

        // DuckDB.NET hands a BLOB over as a stream into the result, readable only while the reader is open.
        var value = reader.GetValue(0);
        if (value is Stream blob)
        {
            using var bytes = new MemoryStream();
            blob.CopyTo(bytes);
            return bytes.ToArray();
        }

        return value;
    }

    public void Dispose() => directory.Delete(recursive: true);
}
