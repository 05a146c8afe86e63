namespace Wharf.Lake;

/// <summary>
/// The local folders a lake on S3 is written to (a run's) or read into (a replay's), under
/// <c>.wharf/lake-staging/</c>: <c>run-&lt;id&gt;/&lt;pipeline&gt;/…</c> and <c>replay-&lt;id&gt;/&lt;pipeline&gt;/…</c>.
/// Each is removed when its run ends; one left by a process that was killed is removed by the
/// next run or replay of the same pipeline, which holds the pipeline's lock, so no live process
/// can be using it.
/// </summary>
internal static class LakeStaging
{
    /// <summary>A new folder of its own for a run (<paramref name="kind"/> <c>run</c>) or a replay.</summary>
    public static string NewFolder(string stagingRoot, string kind) => Path.Combine(stagingRoot, $"{kind}-{Guid.NewGuid():N}");

    /// <summary>Removes what other, dead, runs and replays left of <paramref name="pipeline"/>; call it holding the pipeline's lock.</summary>
    public static void RemoveLeftovers(string stagingRoot, string pipeline, string own)
    {
        if (!Directory.Exists(stagingRoot))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(stagingRoot, "*-*"))
        {
            var left = Path.Combine(folder, pipeline);
            if (Path.GetFileName(folder) is var name && (name.StartsWith("run-", StringComparison.Ordinal) || name.StartsWith("replay-", StringComparison.Ordinal))
                && !string.Equals(Path.GetFullPath(folder), Path.GetFullPath(own), StringComparison.Ordinal) && Directory.Exists(left))
            {
                Directory.Delete(left, recursive: true);
                RemoveIfEmpty(folder);
            }
        }
    }

    /// <summary>Removes a run's or replay's own folder for one pipeline, and the folder once no pipeline is left in it.</summary>
    public static void Remove(string own, string? pipeline = null)
    {
        var path = pipeline is null ? own : Path.Combine(own, pipeline);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        RemoveIfEmpty(own);
    }

    private static void RemoveIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
        catch (IOException)
        {
            // Another process's pipeline just started writing into it: it is not empty any more.
        }
    }
}
