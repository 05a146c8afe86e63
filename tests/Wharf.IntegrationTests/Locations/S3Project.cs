using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// A project whose connection <c>bucket</c> is a fresh bucket of the S3 server under the prefix
/// <c>in/</c>, loading into a fresh warehouse (DuckDB file or PostgreSQL database; built on
/// <see cref="IncrementalProject"/>, which owns it and reads it back).
/// </summary>
internal sealed class S3Project(IncrementalProject project, S3Server s3, string bucket) : BucketProject(project, s3, bucket)
{
    public static async Task<S3Project> CreateAsync(PostgresServer postgres, S3Server s3, WarehouseUnderTest kind = WarehouseUnderTest.DuckDb)
    {
        var (project, bucket) = await MakeAsync(postgres, s3, kind, "select 1");
        return new S3Project(project, s3, bucket);
    }

    /// <summary>Puts an object under the connection's prefix (<c>in/</c>).</summary>
    public Task PutAsync(string path, string text) => S3.PutAsync(Bucket, "in/" + path, text);

    public Task PutAsync(string path, byte[] bytes) => S3.PutAsync(Bucket, "in/" + path, bytes);

    /// <summary>The bucket's keys, in order.</summary>
    public Task<List<string>> KeysAsync() => S3.KeysAsync(Bucket);

    /// <summary>Writes wharf.yml: the warehouse, the connection <c>bucket</c> (its keys overridable), a local <c>files</c> connection on data/, and these pipelines.</summary>
    /// <param name="pipelines">The body of <c>pipelines:</c>, from column 0.</param>
    public S3Project Pipelines(string pipelines, string? endpoint = null, string? bucket = null, string prefix = "in/", string accessKey = S3Server.AccessKey, string secretKey = S3Server.SecretKey)
    {
        var warehouse = Project.Warehouse is null ? "duckdb:warehouse.duckdb" : $"\"{Project.Warehouse.Url}\"";
        var body = string.Join("\n", pipelines.Split('\n').Select(line => line.Length == 0 ? line : "  " + line));
        Directory.CreateDirectory(Path.Combine(Root, "data"));
        File.WriteAllText(Path.Combine(Root, "wharf.yml"), $$"""
            warehouse: {{warehouse}}
            connections:
              bucket: { type: s3, bucket: {{bucket ?? Bucket}}, prefix: "{{prefix}}", region: us-east-1, endpoint: "{{endpoint ?? S3.Endpoint}}", path_style: true, access_key: {{accessKey}}, secret_key: "{{secretKey}}" }
              files: { type: files, path: data/ }
            pipelines:

            """ + body + "\n");
        return this;
    }

    public Task<RunSummary> RunAsync(bool fullRefresh = false) => Project.RunRawAsync(fullRefresh);

    /// <summary>Runs every pipeline; fails the test unless all succeeded.</summary>
    public async Task<RunSummary> RunOkAsync()
    {
        var summary = await RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => $"{s.Pipeline}: {s.Error}")));
        return summary;
    }

    /// <summary>The real <c>wharf</c> CLI in a process of its own, armed with a fail point when one is given.</summary>
    public Task<WharfChild.Result> CliAsync(string? failPoint, params string[] args) =>
        WharfChild.RunAsync(Root, failPoint, TestContext.Current.CancellationToken, args);

    public Task<object?> ScalarAsync(string sql) => Project.WarehouseScalarAsync(sql);

    /// <summary>How many files the stream's state says are loaded (<c>incremental: files</c>).</summary>
    public async Task<long> LoadedFilesAsync(string pipeline) => Convert.ToInt64(await ScalarAsync(
        $"select {(Kind == WarehouseUnderTest.Postgres ? "cardinality" : "len")}(loaded_files) from _wharf.state where pipeline = '{pipeline}' and stream = '{pipeline}'"),
        System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The manifests the pipeline's lake parts were written with, as JSON text.</summary>
    public IEnumerable<string> Manifests(string pipeline) =>
        Directory.EnumerateFiles(Path.Combine(Root, "lake", pipeline), "*.manifest.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.spool{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText);

    /// <summary>Files left in the pipelines' spools (none once a run has ended).</summary>
    public IEnumerable<string> SpooledFiles() =>
        Directory.Exists(Path.Combine(Root, "lake"))
            ? Directory.EnumerateFiles(Path.Combine(Root, "lake"), "*", SearchOption.AllDirectories).Where(f => f.Contains(".spool", StringComparison.Ordinal))
            : [];
}
