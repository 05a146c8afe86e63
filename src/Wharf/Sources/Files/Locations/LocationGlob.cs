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
