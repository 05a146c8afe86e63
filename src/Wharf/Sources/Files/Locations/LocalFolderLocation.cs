using System.Runtime.CompilerServices;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// A folder on this machine: DuckDB reads its files where they are (nothing is downloaded), and
/// its globs are expanded by <see cref="FileGlob"/>, which searches from the deepest folder
/// without wildcards.
/// </summary>
internal sealed class LocalFolderLocation(string root) : IFileLocation
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Describe() => Root;

    public async IAsyncEnumerable<LocationEntry> ListAsync(string folder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        var start = FullPath(folder);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var files = Directory.EnumerateFiles(start, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Select(Relative)
            .Order(StringComparer.Ordinal);
        foreach (var relative in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Entry(relative);
        }
    }

    public Task<IReadOnlyList<LocationEntry>> MatchAsync(IReadOnlyList<string> globs, Func<string, string, Exception> fail, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LocationEntry>>([.. FileGlob.Expand(Root, globs, fail).Select(f => Entry(Relative(f)))]);

    public string? LocalPath(LocationEntry entry) => FullPath(entry.Path);

    public async Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        var partial = localPath + ".part";
        try
        {
            await using (var source = File.OpenRead(FullPath(entry.Path)))
            await using (var target = File.Create(partial))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            File.Move(partial, localPath, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public Task MoveAsync(LocationEntry entry, string targetPath, CancellationToken cancellationToken)
    {
        var target = FullPath(targetPath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(FullPath(entry.Path), target, overwrite: false);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken)
    {
        var path = FullPath(entry.Path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is no longer there.", path);
        }

        File.Delete(path);
        return Task.CompletedTask;
    }

    public Task<string> ProbeAsync(CancellationToken cancellationToken) =>
        Directory.Exists(Root)
            ? Task.FromResult($"the folder {Root} exists ({Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Count()} files).")
            : throw new LocationException($"the folder {Root} does not exist.", transient: false);

    public void Dispose()
    {
    }

    private LocationEntry Entry(string relative)
    {
        var info = new FileInfo(FullPath(relative));
        return new LocationEntry(relative, info.Length, info.LastWriteTimeUtc, ETag: null);
    }

    private string Relative(string full) => Path.GetRelativePath(Root, full).Replace(Path.DirectorySeparatorChar, '/');

    private string FullPath(string relative) => relative.Length == 0 ? Root : Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));
}
