using System.Text.Json;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Locations;
using Wharf.IntegrationTests.Postgres;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Lake;

/// <summary>
/// A PostgreSQL source table <c>items</c> loaded by the pipeline <c>items</c> into <c>raw.items</c>
/// of a fresh warehouse (DuckDB or PostgreSQL), with its lake in a fresh bucket of the S3 server
/// (under <c>lake/</c>) or in the local folder <c>lake/</c>. Built on <see cref="IncrementalProject"/>.
/// </summary>
internal sealed class LakeProject(IncrementalProject project, S3Server s3, string bucket) : BucketProject(project, s3, bucket)
{
    public const string Pipeline = IncrementalProject.Pipeline;

    public static async Task<LakeProject> CreateAsync(PostgresServer postgres, S3Server s3, WarehouseUnderTest kind, string setupSql)
    {
        var (project, bucket) = await MakeAsync(postgres, s3, kind, setupSql);
        return new LakeProject(project, s3, bucket);
    }

    /// <summary>The <c>lake:</c> line of a lake in <paramref name="bucket"/> (by default the test's) under <c>lake/</c>, with the test server's keys.</summary>
    public string S3Lake(string? bucket = null) =>
        $"lake: {{ url: \"s3://{bucket ?? Bucket}/lake/\", region: us-east-1, endpoint: \"{S3.Endpoint}\", path_style: true, access_key: {S3Server.AccessKey}, secret_key: \"{S3Server.SecretKey}\" }}";

    /// <summary>Writes wharf.yml: the warehouse, <paramref name="top"/> (e.g. the <c>lake:</c> line), the source, and the pipeline with these extra lines.</summary>
    public LakeProject Configure(string top, string settings)
    {
        var extra = string.Join("\n", settings.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => "    " + line));
        File.WriteAllText(Path.Combine(Root, "wharf.yml"), $$"""
            {{WarehouseLine}}
            {{top}}
            connections:
              src: { type: postgres, url: "{{Project.Source.Url}}" }
            pipelines:
              {{Pipeline}}:
                source: src
                tables: [items]
                schema: raw
            {{extra}}

            """);
        return this;
    }

    /// <summary>The <c>warehouse:</c> line of the test's warehouse.</summary>
    public string WarehouseLine => Project.Warehouse is null ? "warehouse: duckdb:warehouse.duckdb" : $"warehouse: \"{Project.Warehouse.Url}\"";

    public Task<RunSummary> RunRawAsync(bool fullRefresh = false) => Project.RunRawAsync(fullRefresh);

    /// <summary>Runs the pipeline; fails the test unless it succeeded. Returns its one stream's record.</summary>
    public Task<RunRecord> RunAsync(bool fullRefresh = false) => Project.RunAsync(fullRefresh);

    public Task ExecuteSourceAsync(string sql) => Project.ExecuteSourceAsync(sql);

    public Task ExecuteWarehouseAsync(string sql) => Project.ExecuteWarehouseAsync(sql);

    public async Task<List<string>> SourceRowsAsync(string sql) =>
        [.. (await Project.SourceRowsAsync(sql)).Select(row => string.Join(" | ", row.Select(IncrementalProject.Format)))];

    /// <summary>The table as the tests compare it: every source column, in key order.</summary>
    public Task<List<string>> TableAsync() => RowsAsync("SELECT id, name, updated_at FROM raw.items ORDER BY id");

    public Task<string?> StateWatermarkAsync() => Project.StateWatermarkAsync();

    /// <summary>The bucket's keys under <c>lake/</c>, without it, in order.</summary>
    public async Task<List<string>> LakeKeysAsync(string? bucket = null) =>
        [.. (await S3.KeysAsync(bucket ?? Bucket)).Where(k => k.StartsWith("lake/", StringComparison.Ordinal)).Select(k => k["lake/".Length..])];

    /// <summary>The local lake's files (lake/ in the project), relative, with '/', in order.</summary>
    public List<string> LocalLakeFiles()
    {
        var lake = Path.Combine(Root, "lake");
        return !Directory.Exists(lake) ? [] : [.. Directory.EnumerateFiles(lake, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(lake, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/.spool/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Files left under .wharf/lake-staging (parts and manifests a run wrote before uploading).</summary>
    public List<string> StagedFiles()
    {
        var staging = Path.Combine(Root, ".wharf", "lake-staging");
        return !Directory.Exists(staging) ? [] : [.. Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.spool{Path.DirectorySeparatorChar}", StringComparison.Ordinal))];
    }

    /// <summary><c>wharf replay items</c> in-process; fails the test unless it succeeded.</summary>
    public async Task<RunSummary> ReplayAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var loaded = await ProjectLoader.LoadAsync(Root, cancellationToken: ct);
        using var warehouse = await WarehouseFactory.OpenAsync(loaded.Warehouse, TimeProvider.System, ct);
        try
        {
            var summary = await new Replayer(loaded, warehouse, TimeProvider.System).ReplayAsync(Pipeline, new Replayer.Selection(), ct);
            summary.Succeeded.ShouldBeTrue(JsonSerializer.Serialize(summary.Streams.Select(s => s.Error)));
            return summary;
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>The real <c>wharf</c> CLI in a process of its own.</summary>
    public Task<WharfChild.Result> CliAsync(params string[] args) =>
        WharfChild.RunAsync(Root, null, TestContext.Current.CancellationToken, args);
}
