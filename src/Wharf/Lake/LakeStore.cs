namespace Wharf.Lake;

/// <summary>
/// Where the lake's files are kept: the local folder runs write to (<see cref="LocalLakeStore"/>),
/// or a bucket they are uploaded to from that folder (<see cref="S3LakeStore"/>). Paths are
/// relative to the lake's root, with '/' between folders, as manifests and the audit name them.
/// </summary>
internal interface ILakeStore : IDisposable
{
    /// <summary>How messages name the lake: its folder, or <c>s3://bucket/prefix/</c>.</summary>
    string Describe();

    /// <summary>Whether the files stay where runs write them (a local lake), so nothing is uploaded or downloaded.</summary>
    bool IsLocal { get; }

    /// <summary>Copies a file the run wrote locally to the lake; returns when the lake holds it whole.</summary>
    Task UploadAsync(string localPath, string relative, CancellationToken cancellationToken);

    /// <summary>The lake's files under <paramref name="folder"/> (relative, e.g. <c>orders</c>), at any depth.</summary>
    IAsyncEnumerable<LakeObject> ListAsync(string folder, CancellationToken cancellationToken);

    /// <summary>Copies a lake file to <paramref name="localPath"/>, whole or not at all.</summary>
    Task DownloadAsync(string relative, string localPath, CancellationToken cancellationToken);

    Task DeleteAsync(string relative, CancellationToken cancellationToken);
}

/// <summary>A file in the lake: its path relative to the root, and its size.</summary>
internal sealed record LakeObject(string Path, long Bytes)
{
    /// <summary>The path without its extension: a lake file and its manifest share it (<c>orders/2026/01/02/RUNID-0000</c>).</summary>
    public string Base => BaseOf(Path);

    /// <summary>The run that wrote it, read from its name (<c>RUNID-0000.parquet</c> or its <c>.manifest.json</c>); null for other files.</summary>
    public string? RunId
    {
        get
        {
            var name = Base[(Base.LastIndexOf('/') + 1)..];
            var dash = name.LastIndexOf('-');
            return dash <= 0 || name.Length - dash != 5 ? null : name[..dash];
        }
    }

    public static string BaseOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".manifest.json", StringComparison.Ordinal))
        {
            return path[..^".manifest.json".Length];
        }

        var dot = path.LastIndexOf('.');
        return dot > path.LastIndexOf('/') ? path[..dot] : path;
    }

    /// <summary>The stream folder it is in (<c>orders</c>, or <c>orders.keys</c> for delete detection's keys).</summary>
    public string Stream => Path.Split('/') is { Length: > 2 } parts ? parts[1] : "";

    public bool IsManifest => Path.EndsWith(".manifest.json", StringComparison.Ordinal);
}

/// <summary>A lake in a local folder: runs write its files in place.</summary>
internal sealed class LocalLakeStore(string root) : ILakeStore
{
    public string Describe() => root;

    public bool IsLocal => true;

    public Task UploadAsync(string localPath, string relative, CancellationToken cancellationToken) => Task.CompletedTask;

    public async IAsyncEnumerable<LakeObject> ListAsync(string folder, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        var path = Path.Combine(root, folder);
        if (!Directory.Exists(path))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            // Sources spool their downloads under the lake folder; those are not lake files.
            if (!relative.Contains("/.spool/", StringComparison.Ordinal) && !relative.EndsWith(".tmp", StringComparison.Ordinal))
            {
                yield return new LakeObject(relative, new FileInfo(file).Length);
            }
        }
    }

    public Task DownloadAsync(string relative, string localPath, CancellationToken cancellationToken)
    {
        File.Copy(Path.Combine(root, relative), localPath, overwrite: true);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string relative, CancellationToken cancellationToken)
    {
        File.Delete(Path.Combine(root, relative));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
    }
}

/// <summary>Opens the lake a project names.</summary>
internal static class LakeStores
{
    /// <summary>A manifest of the lake (relative path of the <c>.manifest.json</c>), read through a temporary copy: from S3 it is downloaded.</summary>
    public static async Task<LakeManifest> ReadManifestAsync(this ILakeStore store, string relative, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var copy = Path.Combine(Path.GetTempPath(), $"wharf-manifest-{Guid.NewGuid():N}.json");
        try
        {
            await store.DownloadAsync(relative, copy, cancellationToken);
            return LakeLayout.Load(copy, $"{relative} in {store.Describe()}");
        }
        finally
        {
            File.Delete(copy);
        }
    }

    public static ILakeStore Open(Projects.Project project, TimeProvider time, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(project);
        return project.LakeS3 is { } bucket ? new S3LakeStore(bucket, time, logger) : new LocalLakeStore(project.LakeDirectory);
    }
}
