using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// A project (built on <see cref="IncrementalProject"/>, which owns its warehouse and reads it back)
/// with a fresh bucket of the S3 server: what the S3 location tests and the S3 lake tests share.
/// </summary>
internal abstract class BucketProject(IncrementalProject project, S3Server s3, string bucket) : IDisposable
{
    protected IncrementalProject Project { get; } = project;

    public S3Server S3 { get; } = s3;

    public string Bucket { get; } = bucket;

    public string Root => Project.Root;

    public WarehouseUnderTest Kind => Project.Kind;

    /// <summary>A fresh bucket, and the project over <paramref name="setupSql"/>'s source; skipped (or failed under CI) before anything is made when there is no S3 server.</summary>
    protected static async Task<(IncrementalProject Project, string Bucket)> MakeAsync(PostgresServer postgres, S3Server s3, WarehouseUnderTest kind, string setupSql)
    {
        _ = s3.Client;
        var bucket = await s3.CreateBucketAsync();
        return (await IncrementalProject.CreateAsync(postgres, kind, setupSql), bucket);
    }

    /// <summary>The query's rows in the warehouse, each as "a | b".</summary>
    public async Task<List<string>> RowsAsync(string sql) =>
        [.. (await Project.WarehouseRowsAsync(sql)).Select(row => string.Join(" | ", row.Select(IncrementalProject.Format)))];

    public void Dispose() => Project.Dispose();
}
