namespace Wharf.Sources.Files.Locations;

/// <summary>One member of a remote folder: its path relative to the location's root, and, for a file, its entry.</summary>
internal readonly record struct FolderMember(string Path, bool IsFolder, LocationEntry? Entry);

/// <summary>
/// Lists a remote location folder by folder (for servers that list one folder per request:
/// WebDAV's PROPFIND at depth 1, FTP's MLSD or LIST), recursing only when asked.
/// </summary>
internal static class FolderWalk
{
    /// <param name="listFolder">The members of one folder (relative to the root, "" for the root); null when it does not exist.</param>
    /// <param name="rootMissing">The error when the root itself does not exist; a missing folder below it (one a glob names) just has no files.</param>
    /// <returns>The files found, in path order.</returns>
    public static async Task<List<LocationEntry>> FilesAsync(string folder, bool recursive, Func<string, Task<IEnumerable<FolderMember>?>> listFolder, Func<Exception> rootMissing)
    {
        var found = new List<LocationEntry>();
        var folders = new Queue<string>([folder.Trim('/')]);
        while (folders.TryDequeue(out var current))
        {
            var members = await listFolder(current);
            if (members is null)
            {
                if (current.Length == 0)
                {
                    throw rootMissing();
                }

                continue;
            }

            foreach (var member in members)
            {
                if (member.IsFolder && recursive)
                {
                    folders.Enqueue(member.Path);
                }
                else if (member.Entry is { } entry)
                {
                    found.Add(entry);
                }
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return found;
    }
}
