using System.Text.RegularExpressions;

namespace Wharf.Sources.Files;

/// <summary>
/// Expands <c>files:</c> globs (<c>*</c>, <c>?</c>, <c>**</c> for any depth) against a folder, in a
/// stable (ordinal) order. A glob that matches nothing is an error, not an empty load.
/// </summary>
internal static class FileGlob
{
    public static IReadOnlyList<string> Expand(string root, IEnumerable<string> globs, Func<string, string, Exception> fail)
    {
        var files = new List<string>();
        foreach (var glob in globs)
        {
            var matches = Match(root, glob).ToList();
            if (matches.Count == 0)
            {
                var where = Path.GetFullPath(Path.Combine(root, glob));
                throw fail(glob, Directory.Exists(root)
                    ? (glob.IndexOfAny(['*', '?']) >= 0
                        ? $"no file matches '{glob}' in {root}. Check the pattern and the connection's 'path:'."
                        : $"the file {where} does not exist.")
                    : $"the connection's folder {root} does not exist.");
            }

            files.AddRange(matches.Where(m => !files.Contains(m)));
        }

        return files;
    }

    private static IEnumerable<string> Match(string root, string glob)
    {
        var full = Path.GetFullPath(Path.Combine(root, glob));
        if (glob.IndexOfAny(['*', '?']) < 0)
        {
            return File.Exists(full) ? [full] : [];
        }

        // Search from the deepest folder without wildcards.
        var parts = Path.GetRelativePath(root, full).Split(Path.DirectorySeparatorChar);
        if (parts[^1] == "**")
        {
            // A trailing ** means every file below.
            parts = [.. parts, "*"];
        }

        var fixedParts = parts.TakeWhile(p => p.IndexOfAny(['*', '?']) < 0).ToArray();
        var baseDir = Path.GetFullPath(Path.Combine([root, .. fixedParts]));
        if (!Directory.Exists(baseDir))
        {
            return [];
        }

        var pattern = new Regex("^" + ToRegex(parts[fixedParts.Length..]) + "$");
        var recursive = parts.Any(p => p == "**") || parts.Length - fixedParts.Length > 1;
        return Directory.EnumerateFiles(baseDir, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => pattern.IsMatch(Path.GetRelativePath(baseDir, f).Replace(Path.DirectorySeparatorChar, '/')))
            .Order(StringComparer.Ordinal);
    }

    private static string ToRegex(string[] segments)
    {
        var regex = new System.Text.StringBuilder();
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] == "**")
            {
                regex.Append("(?:[^/]+/)*");
                continue;
            }

            regex.Append(Regex.Escape(segments[i]).Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]"));
            if (i < segments.Length - 1)
            {
                regex.Append('/');
            }
        }

        return regex.ToString();
    }
}
