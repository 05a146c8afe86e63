using System.Text.RegularExpressions;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// Resolves <c>files:</c> globs against a location's listing (the same <c>*</c>, <c>?</c>, <c>**</c>
/// rules as <see cref="FileGlob"/>), so a remote folder is matched exactly like a local one.
/// </summary>
internal static class LocationGlob
{
    /// <summary>The entries each glob matches, in glob order then ordinal path order, without repeats.</summary>
    public static IReadOnlyList<LocationEntry> Select(
        IReadOnlyList<LocationEntry> listing, IEnumerable<string> globs, Func<string, string, Exception> fail, string where)
    {
        var selected = new List<LocationEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var glob in globs)
        {
            var pattern = ToRegex(glob);
            var matches = listing.Where(e => pattern.IsMatch(e.Path)).OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
            if (matches.Count == 0)
            {
                throw fail(glob, glob.IndexOfAny(['*', '?']) >= 0
                    ? $"no file matches '{glob}' in {where}. Check the pattern and the connection's 'path:' or 'prefix:'."
                    : $"the file {glob} does not exist in {where}.");
            }

            selected.AddRange(matches.Where(m => seen.Add(m.Path)));
        }

        return selected;
    }

    /// <summary>
    /// Lists only what each glob can match: the folder before its first wildcard, and below it only
    /// when the glob reaches deeper (<c>**</c>, or a wildcard in a folder's name).
    /// </summary>
    public static async Task<IReadOnlyList<LocationEntry>> MatchAsync(
        IFileLocation location, IReadOnlyList<string> globs, Func<string, string, Exception> fail, CancellationToken cancellationToken)
    {
        var listing = new Dictionary<string, LocationEntry>(StringComparer.Ordinal);
        var listed = new HashSet<(string, bool)>();
        foreach (var glob in globs)
        {
            var (folder, recursive) = Reach(glob);
            if (listed.Add((folder, recursive)))
            {
                await foreach (var entry in location.ListAsync(folder, recursive, cancellationToken))
                {
                    listing.TryAdd(entry.Path, entry);
                }
            }
        }

        return Select([.. listing.Values], globs, fail, location.Describe());
    }

    /// <summary>The folder a glob starts in (no wildcard before it), and whether it reaches below that folder's files.</summary>
    internal static (string Folder, bool Recursive) Reach(string glob)
    {
        var segments = glob.Replace('\\', '/').TrimStart('/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        var fixedCount = segments.TakeWhile(s => s.IndexOfAny(['*', '?']) < 0).Count();
        if (fixedCount == segments.Count)
        {
            // A plain path: its own folder.
            return (string.Join('/', segments.Take(Math.Max(0, segments.Count - 1))), false);
        }

        var rest = segments.Skip(fixedCount).ToList();
        return (string.Join('/', segments.Take(fixedCount)), rest.Count > 1 || rest.Contains("**"));
    }

    internal static Regex ToRegex(string glob)
    {
        var segments = glob.Replace('\\', '/').TrimStart('/').Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (segments.Count > 0 && segments[0] == ".")
        {
            segments.RemoveAt(0);
        }

        if (segments.Count > 0 && segments[^1] == "**")
        {
            // A trailing ** means every file below.
            segments.Add("*");
        }

        var regex = new System.Text.StringBuilder("^");
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i] == "**")
            {
                regex.Append("(?:[^/]+/)*");
                continue;
            }

            regex.Append(Regex.Escape(segments[i]).Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]"));
            if (i < segments.Count - 1)
            {
                regex.Append('/');
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
