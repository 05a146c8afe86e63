using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Globalization;
using Wharf.DuckDb;

namespace Wharf.Lake;

/// <summary>
/// Types columns of decimal numbers kept as their source text (a CSV's <c>12.50</c>): the
/// DECIMAL(p,s) that holds every value exactly, found with one columnar scan of the lake file
/// that holds them. The scan reads all values, not a sample, so no value can overflow the type.
/// </summary>
/// <remarks>
/// A plain decimal is optional whitespace, an optional sign, digits with at most one point, and
/// at least one digit (<c>-.5</c>, <c>7.</c>, <c> 0.99</c>): what DuckDB's CAST to DECIMAL accepts.
/// A column with any other value (an exponent, <c>inf</c>, <c>nan</c>, a thousands separator,
/// an empty string), with no value at all, or needing more than 38 digits is not typed here.
/// </remarks>
internal static class DecimalText
{
    /// <summary>DuckDB's DECIMAL limit.</summary>
    internal const int MaxPrecision = 38;

    /// <summary>
    /// The usual form, checked without capture groups (a fast DFA match), whose digits simple
    /// string arithmetic counts: <c>-12.50</c>, <c>0.5</c>, <c>-.5</c>, <c>7.</c>, no whitespace,
    /// no <c>+</c>, no leading zeros.
    /// </summary>
    private const string Usual = @"-?(0|[1-9][0-9]*)(\.[0-9]*)?|-?\.[0-9]+";

    /// <summary>
    /// Any plain decimal, for the values not in the usual form. Groups: leading zeros (not
    /// significant), integer digits, fraction digits. A value that does not match yields empty
    /// groups, like one without digits; both count as not a decimal. The whitespace is what
    /// DuckDB's CAST skips.
    /// </summary>
    private const string Plain = @"^[ \t\n\v\f\r]*[+-]?(0*)([0-9]*)\.?([0-9]*)[ \t\n\v\f\r]*$";

    /// <summary>
    /// Per column, <c>DECIMAL(p,s)</c> with s the most fraction digits of any value and p that
    /// plus the most integer digits, at least one (<c>0.5</c> is <c>DECIMAL(2,1)</c>, so the type
    /// prints and holds values as the source wrote them); null when the column is not all plain
    /// decimals or needs more than <see cref="MaxPrecision"/> digits.
    /// </summary>
    /// <remarks>
    /// One scan of the columns counts the digits of the values in the usual form; a second one,
    /// over only the other values, runs only when there are some (a regular expression with
    /// capture groups costs more than the whole first scan).
    /// </remarks>
    public static ImmutableDictionary<string, string?> Infer(DuckDBConnection connection, string parquetFile, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(columns);
        var file = $"read_parquet({Quote.Literal(parquetFile)})";
        var values = columns.Select((c, i) => $"{Quote.Identifier(c)} AS v{i}, regexp_full_match({Quote.Identifier(c)}, {Quote.Literal(Usual)}) AS u{i}, " +
            $"strpos({Quote.Identifier(c)}, '.') AS p{i}, length({Quote.Identifier(c)}) AS n{i}");
        var usual = columns.Select((_, i) =>
            $"count(v{i}), count(*) FILTER (WHERE NOT u{i}), " +
            $"max(CASE WHEN u{i} THEN (CASE WHEN p{i} = 0 THEN n{i} ELSE p{i} - 1 END) - CAST(starts_with(v{i}, '-') AS BIGINT) END), " +
            $"max(CASE WHEN u{i} THEN (CASE WHEN p{i} = 0 THEN 0 ELSE n{i} - p{i} END) END)");
        var stats = new Stats[columns.Count];
        using (var reader = connection.Query($"SELECT {string.Join(", ", usual)} FROM (SELECT {string.Join(", ", values)} FROM {file})"))
        {
            reader.Read();
            for (var i = 0; i < columns.Count; i++)
            {
                stats[i] = new Stats(reader.GetInt64(4 * i), reader.GetInt64((4 * i) + 1), Long(reader, (4 * i) + 2), Long(reader, (4 * i) + 3), NotDecimal: 0);
            }
        }

        var unusual = Enumerable.Range(0, columns.Count).Where(i => stats[i].Unusual > 0).ToList();
        if (unusual.Count > 0)
        {
            var extracts = unusual.Select(i => $"CASE WHEN NOT regexp_full_match({Quote.Identifier(columns[i])}, {Quote.Literal(Usual)}) " +
                $"THEN regexp_extract({Quote.Identifier(columns[i])}, {Quote.Literal(Plain)}, ['z', 'd', 'f']) END AS x{i}");
            var plain = unusual.Select(i =>
                $"count(x{i}) FILTER (WHERE length(x{i}.z) + length(x{i}.d) + length(x{i}.f) = 0), max(length(x{i}.d)), max(length(x{i}.f))");
            using var reader = connection.Query($"SELECT {string.Join(", ", plain)} FROM (SELECT {string.Join(", ", extracts)} FROM {file})");
            reader.Read();
            for (var k = 0; k < unusual.Count; k++)
            {
                var i = unusual[k];
                stats[i] = stats[i] with
                {
                    NotDecimal = reader.GetInt64(3 * k),
                    IntegerDigits = Math.Max(stats[i].IntegerDigits, Long(reader, (3 * k) + 1)),
                    Scale = Math.Max(stats[i].Scale, Long(reader, (3 * k) + 2)),
                };
            }
        }

        var types = ImmutableDictionary.CreateBuilder<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < columns.Count; i++)
        {
            types[columns[i]] = stats[i] is { Count: > 0, NotDecimal: 0 } ? Type(Math.Max(1, stats[i].IntegerDigits), stats[i].Scale) : null;
        }

        return types.ToImmutable();
    }

    /// <summary>What one scan found in a column; the digit counts are 0 when no value was counted.</summary>
    private readonly record struct Stats(long Count, long Unusual, long IntegerDigits, long Scale, long NotDecimal);

    private static long Long(DuckDBDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? 0 : reader.GetInt64(ordinal);

    private static string? Type(long integerDigits, long scale) => integerDigits + scale > MaxPrecision
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"DECIMAL({integerDigits + scale},{scale})");
}
