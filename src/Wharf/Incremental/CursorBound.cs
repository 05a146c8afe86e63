using System.Collections.Immutable;

namespace Wharf.Incremental;

/// <summary>
/// Where a cursor extract starts: rows whose cursor is at or past these values. Inclusive on
/// purpose: rows that share the watermark's value but were committed after the last run are read
/// again, and the load drops what it already has (see the warehouses' write modes).
/// </summary>
/// <param name="Values">
/// One value per leading cursor column, as text; one value when a lookback or initial applies.
/// None after a first run that saw only NULL cursors: every row with a cursor is new, NULL ones are not.
/// </param>
public sealed record CursorBound(ImmutableArray<string> Values)
{
    /// <summary>
    /// The condition on the source's (quoted) cursor columns: <c>c1 &gt;= v1</c>, or for several
    /// columns the row comparison spelled out, which every SQL dialect understands.
    /// </summary>
    /// <param name="literal">How the source writes a value: a plain string literal is compared in the column's type.</param>
    public string Where(IReadOnlyList<string> quotedColumns, Func<string, string> literal)
    {
        ArgumentNullException.ThrowIfNull(quotedColumns);
        ArgumentNullException.ThrowIfNull(literal);
        if (Values.IsEmpty)
        {
            return $"({quotedColumns[0]} IS NOT NULL)";
        }

        var count = Math.Min(Values.Length, quotedColumns.Count);
        string Condition(int i) => i == count - 1
            ? $"{quotedColumns[i]} >= {literal(Values[i])}"
            : $"{quotedColumns[i]} > {literal(Values[i])} OR ({quotedColumns[i]} = {literal(Values[i])} AND ({Condition(i + 1)}))";
        return $"({Condition(0)})";
    }

    /// <summary>The order that makes every chunk a consistent prefix: each chunk's watermark is safe to save.</summary>
    public static string OrderBy(IReadOnlyList<string> quotedColumns) =>
        string.Join(", ", quotedColumns.Select(c => $"{c} NULLS FIRST"));

    public override string ToString() => string.Join(", ", Values);
}
