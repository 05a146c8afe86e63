using System.Text;

namespace Wharf.Schema;

/// <summary>
/// Normalizes source column names to snake_case identifiers: <c>OrderID</c> → <c>order_id</c>,
/// <c>Customer Name</c> → <c>customer_name</c>. Collisions get <c>_2</c>, <c>_3</c>… in column order,
/// so the same input always gives the same names.
/// </summary>
internal static class ColumnNames
{
    /// <summary>Normalizes a whole row of names, resolving collisions.</summary>
    /// <param name="reserved">Names taken already (Wharf's own columns): a source column of that name is numbered instead.</param>
    public static IReadOnlyList<string> Normalize(IReadOnlyList<string> names, IEnumerable<string>? reserved = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        var used = new HashSet<string>(reserved ?? [], StringComparer.Ordinal);
        var result = new List<string>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var baseName = ToSnakeCase(names[i]);
            if (baseName.Length == 0)
            {
                baseName = $"column_{i + 1}";
            }

            var name = baseName;
            for (var suffix = 2; !used.Add(name); suffix++)
            {
                name = $"{baseName}_{suffix}";
            }

            result.Add(name);
        }

        return result;
    }

    /// <summary>
    /// The columns named by <paramref name="names"/> (exactly, or in snake_case), in that order: a
    /// setting may name a column as the source spells it or as the warehouse will.
    /// </summary>
    /// <param name="setting">The wharf.yml key the names come from, for the error.</param>
    /// <exception cref="WharfException">A name matches no column.</exception>
    public static IReadOnlyList<T> Pick<T>(IReadOnlyList<T> columns, IReadOnlyList<string> names, Func<T, string> name, string table, string setting)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(name);
        return [.. names.Select(n => Find(columns, n, name) is { } index
            ? columns[index]
            : throw new ColumnNotFoundException(table, n, $"The column '{n}' named in '{setting}:' is not in {table} ({string.Join(", ", columns.Select(name))})."))];
    }

    /// <summary>
    /// Where the column named <paramref name="wanted"/> is: the one spelled so, else the one whose
    /// snake_case is so, else (the columns already in warehouse names, as transform steps and checks
    /// see them) the one named as <paramref name="wanted"/> in snake_case: <c>"Order Date"</c> finds
    /// <c>order_date</c>. Null when there is none (for any <typeparamref name="T"/>, value tuples too).
    /// </summary>
    public static int? Find<T>(IReadOnlyList<T> columns, string wanted, Func<T, string> name)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(name);
        var snakeWanted = ToSnakeCase(wanted);
        for (var pass = 0; pass < 3; pass++)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                var column = name(columns[i]);
                if (pass switch { 0 => column == wanted, 1 => ToSnakeCase(column) == wanted, _ => column == snakeWanted })
                {
                    return i;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// One name in snake_case: letters and digits kept, everything else an underscore. A double
    /// underscore inside a name is the nesting separator of flattened JSON (<c>customer__city</c>)
    /// and is kept; each part is normalized on its own.
    /// </summary>
    public static string ToSnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var inner = name.Trim('_');
        if (inner.Contains("__", StringComparison.Ordinal))
        {
            var leading = name.Length - name.TrimStart('_').Length;
            var joined = string.Join("__", inner.Split("__").Select(Part).Where(p => p.Length > 0));
            return joined.Length == 0 ? "" : new string('_', leading) + (leading == 0 && char.IsDigit(joined[0]) ? "_" : "") + joined;
        }

        return Part(name);
    }

    private static string Part(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsLetterOrDigit(c))
            {
                // A word boundary inside camelCase, or before the last capital of an acronym
                // ("HTTPStatus"), but not before a plural s ("IDs").
                var acronymEnd = i > 0 && i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])
                    && !(name[i + 1] == 's' && (i + 2 == name.Length || !char.IsLetter(name[i + 2])));
                var boundary = char.IsUpper(c) && i > 0 && builder.Length > 0 && builder[^1] != '_' &&
                    (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || acronymEnd);
                if (boundary)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        // Leading underscores are part of the name ("_id" stays "_id"); trailing ones are noise.
        var result = builder.ToString().Trim('_');
        var leading = name.Length - name.TrimStart('_').Length;
        if (result.Length > 0 && leading > 0)
        {
            return new string('_', leading) + result;
        }

        return result.Length > 0 && char.IsDigit(result[0]) ? "_" + result : result;
    }
}
