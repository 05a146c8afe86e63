using System.Text.RegularExpressions;

namespace Wharf.Sources.Sql;

/// <summary>
/// Picks tables by <c>tables:</c> patterns: <c>schema.table</c> names or globs (<c>*</c>, <c>?</c>),
/// a name without a schema matches any schema, and <c>!pattern</c> excludes. A plain name that
/// matches nothing is an error (a typo must not silently load less).
/// </summary>
internal static class TableSelection
{
    public static IReadOnlyList<CatalogTable> Select(IReadOnlyList<CatalogTable> tables, IReadOnlyList<string> patterns, Func<string, Exception> fail)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(fail);
        var selected = new List<CatalogTable>();
        foreach (var pattern in patterns.Where(p => !p.StartsWith('!')))
        {
            var matches = tables.Where(t => Matches(t, pattern)).ToList();
            if (matches.Count == 0)
            {
                throw fail(pattern.IndexOfAny(['*', '?']) >= 0
                    ? $"no table matches '{pattern}'."
                    : $"there is no table '{pattern}'. Tables: {string.Join(", ", tables.Take(20).Select(t => t.QualifiedName))}{(tables.Count > 20 ? ", …" : "")}.");
            }

            selected.AddRange(matches.Where(m => !selected.Contains(m)));
        }

        var excluded = patterns.Where(p => p.StartsWith('!')).Select(p => p[1..]).ToList();
        return [.. selected.Where(t => !excluded.Any(p => Matches(t, p)))];
    }

    private static bool Matches(CatalogTable table, string pattern)
    {
        var dot = pattern.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? Glob(pattern).IsMatch(table.Name)
            : Glob(pattern[..dot]).IsMatch(table.Schema) && Glob(pattern[(dot + 1)..]).IsMatch(table.Name);
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant);
}
