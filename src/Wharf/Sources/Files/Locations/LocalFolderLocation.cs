using System.Runtime.CompilerServices;

namespace Wharf.Sources.Files.Locations;

/// <summary>A folder on this machine. "Downloading" copies through a temporary name, then renames.</summary>
internal sealed class LocalFolderLocation(string root) : IFileLocation
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Describe() => Root;

    public async IAsyncEnumerable<LocationEntry> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        if (!Directory.Exists(Root))
        {
            throw new DirectoryNotFoundException($"the connection's folder {Root} does not exist.");
        }

        var files = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        foreach (var relative in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var info = new FileInfo(FullPath(relative));
            yield return new LocationEntry(relative, info.Length, info.LastWriteTimeUtc, ETag: null);
        }
    }

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

    public Task MoveAsync(LocationEntry entry, string targetFolder, CancellationToken cancellationToken)
    {
        var target = Path.Combine(Root, targetFolder, Path.GetFileName(entry.Path));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(FullPath(entry.Path), target, overwrite: true);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken)
    {
        File.Delete(FullPath(entry.Path));
        return Task.CompletedTask;
    }

    public Task ProbeAsync(CancellationToken cancellationToken) =>
        Directory.Exists(Root)
            ? Task.CompletedTask
            : throw new DirectoryNotFoundException($"the connection's folder {Root} does not exist.");

    private string FullPath(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));
}
