using Microsoft.Extensions.FileSystemGlobbing;

namespace Wharf.Server.Scheduling;

/// <summary>What the files matching a glob look like now: a change in names, sizes or times means new or changed files.</summary>
internal sealed record FileFingerprint(string Signature, DateTimeOffset Newest)
{
    /// <summary>The fingerprint of the files under <paramref name="root"/> that match <paramref name="glob"/>; null when none match.</summary>
    public static FileFingerprint? Of(string root, string glob)
    {
        if (!Directory.Exists(root))
        {
            return null;
        }

        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(glob);
        var files = matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal).Select(path => new FileInfo(path)).ToList();
        if (files.Count == 0)
        {
            return null;
        }

        var signature = string.Join('\n', files.Select(f => $"{f.FullName}\t{f.Length}\t{f.LastWriteTimeUtc.Ticks}"));
        return new FileFingerprint(signature, files.Max(f => new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)));
    }
}
