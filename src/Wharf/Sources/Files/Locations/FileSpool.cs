using System.Collections.Concurrent;
using System.IO.Compression;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// Where a run's files become local files DuckDB can read: a local file stays where it is, a
/// remote one is downloaded whole (never read half), and a <c>.zip</c> is unpacked, member by
/// member. The spool is one folder of the run's own, removed when the run ends, however it ends;
/// it holds only what the run reads, and a run whose files would not fit on its disk stops before
/// downloading any.
/// </summary>
internal sealed class FileSpool(string folder) : IDisposable
{
    /// <summary>The disk space kept free beside the spool, for the lake and the warehouse.</summary>
    private const long Headroom = 256L * 1024 * 1024;

    /// <summary>Remote files downloaded at once.</summary>
    private const int Downloads = 4;

    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>Each local file to read, with the location's file it came from and its name in messages and manifests.</summary>
    public sealed record SpooledFile(string LocalPath, string Name, LocationEntry Entry);

    /// <summary>The entries as local files, in their order; a zip's members in its place, in the zip's order.</summary>
    /// <exception cref="LocationException">A download failed (after retries), or the files would not fit.</exception>
    public async Task<IReadOnlyList<SpooledFile>> FetchAsync(IFileLocation location, IReadOnlyList<LocationEntry> entries, CancellationToken cancellationToken)
    {
        var remote = entries.Where(e => location.LocalPath(e) is null).ToList();
        if (remote.Count > 0)
        {
            Directory.CreateDirectory(Folder);
            CheckRoom(location, remote.Sum(e => e.Size) + entries.Where(IsZip).Sum(e => e.Size * 4));
        }

        var local = new ConcurrentDictionary<LocationEntry, string>();
        await Parallel.ForEachAsync(entries, new ParallelOptions { MaxDegreeOfParallelism = Downloads, CancellationToken = cancellationToken }, async (entry, token) =>
        {
            if (location.LocalPath(entry) is { } path)
            {
                local[entry] = path;
                return;
            }

            var target = Inside(Path.Combine(Folder, "files"), entry.Path);
            await location.DownloadAsync(entry, target, token);
            local[entry] = target;
        });

        var files = new List<SpooledFile>();
        foreach (var entry in entries)
        {
            if (IsZip(entry))
            {
                files.AddRange(Unzip(local[entry], entry));
            }
            else
            {
                files.Add(new SpooledFile(local[entry], entry.Path, entry));
            }
        }

        return files;
    }

    private static bool IsZip(LocationEntry entry) => entry.Path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    /// <summary>A zip's members (files only, in the zip's order) as files of their own, named <c>archive.zip/member.csv</c>.</summary>
    private List<SpooledFile> Unzip(string zipPath, LocationEntry entry)
    {
        var folder = Path.Combine(Folder, "zip", entry.Path);
        var members = new List<SpooledFile>();
        try
        {
            using var zip = ZipFile.OpenRead(zipPath);
            foreach (var member in zip.Entries.Where(m => m.Name.Length > 0))
            {
                var target = Inside(folder, member.FullName);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                member.ExtractToFile(target, overwrite: true);
                members.Add(new SpooledFile(target, $"{entry.Path}/{member.FullName.Replace('\\', '/')}", entry));
            }
        }
        catch (InvalidDataException ex)
        {
            throw new LocationException($"{entry.Path} is not a readable zip file: {ex.Message}", transient: false, ex);
        }

        return members.Count > 0 ? members
            : throw new LocationException($"the zip file {entry.Path} holds no files.", transient: false);
    }

    /// <summary>A path below <paramref name="root"/>; a name that climbs out of it (a zip member "../x") is refused.</summary>
    private static string Inside(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        return full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? full
            : throw new LocationException($"the file name {relative} points outside its folder; it is not read.", transient: false);
    }

    private void CheckRoom(IFileLocation location, long bytes)
    {
        var free = new DriveInfo(Folder).AvailableFreeSpace;
        if (bytes > free - Headroom)
        {
            throw new LocationException(
                $"the files to read from {location.Describe()} need {bytes / 1048576.0:N0} MiB in the spool folder {Folder}, whose disk has {free / 1048576.0:N0} MiB free " +
                "(less 256 MiB kept for the lake and warehouse). Free some space, or narrow 'files:' (or use 'incremental: files' to read only new files).", transient: false);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
