using DuckDB.NET.Data;
using System.Collections.Immutable;
using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Incremental;

/// <summary>Reads watermarks off lake files and applies lookbacks, in DuckDB, in each cursor type's exact text.</summary>
internal static class WatermarkSql
{
    /// <summary>The greatest cursor value in <paramref name="files"/>, or null when every row's cursor is NULL (or there are no rows).</summary>
    public static Watermark? Read(DuckDBConnection connection, string lakeRoot, IReadOnlyList<LakeManifest> files, ImmutableArray<string> cursor)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(files);
        var columns = Schema.ColumnNames.Pick(files[0].Columns, cursor, c => c.Name, files[0].Stream, "cursor");
        if (columns.FirstOrDefault(c => !Orders(c.Type)) is { } unordered)
        {
            throw new IncrementalStateException(unordered.Name,
                $"The cursor {unordered.Name} of {files[0].Stream} is a {unordered.Type} column, whose values have no order a watermark could follow. " +
                "Pick a column whose values grow as rows change (a timestamp, a date, a number or text) for 'cursor:'. Nothing was loaded.");
        }

        var list = LakeLayout.ParquetList(lakeRoot, files);
        // Aliased apart from the columns: ORDER BY must sort the values, not their text.
        var projections = columns.Select((c, i) => $"{AsText(c.ReadExpression, c.Type)} AS __wharf_watermark_{i}");
        var notNull = string.Join(" AND ", columns.Select(c => $"{Quote.Identifier(c.Name)} IS NOT NULL"));
        var order = string.Join(", ", columns.Select(c => $"{c.ReadExpression} DESC"));
        using var reader = connection.Query($"SELECT {string.Join(", ", projections)} FROM read_parquet([{list}], union_by_name = true) WHERE {notNull} ORDER BY {order} LIMIT 1");
        if (!reader.Read())
        {
            return null;
        }

        return new Watermark([.. columns.Select(c => c.Name)], [.. columns.Select(c => c.Type)], [.. columns.Select((_, i) => reader.GetString(i))]);
    }

    /// <summary>Whether values of a lake column's type can be compared with a watermark: not lists, structs, maps, unions, JSON or bytes.</summary>
    private static bool Orders(string type) =>
        !(type.EndsWith(']') || type is "JSON" or "BLOB" || type.StartsWith("STRUCT", StringComparison.Ordinal) || type.StartsWith("MAP", StringComparison.Ordinal) || type.StartsWith("UNION", StringComparison.Ordinal));

    /// <summary>The greater of two watermarks of the same cursor, compared in the cursor's type.</summary>
    public static Watermark? Max(DuckDBConnection connection, Watermark? a, Watermark? b)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var left = string.Join(", ", a.Values.Select((v, i) => $"CAST({Quote.Literal(v)} AS {a.Types[i]})"));
        var right = string.Join(", ", b.Values.Select((v, i) => $"CAST({Quote.Literal(v)} AS {b.Types[i]})"));
        return (bool)connection.Scalar($"SELECT ({right}) > ({left})")! ? b : a;
    }

    /// <summary>The watermark's first value minus the lookback, in the same text form.</summary>
    public static string Subtract(DuckDBConnection connection, Watermark watermark, Projects.Lookback lookback)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(watermark);
        ArgumentNullException.ThrowIfNull(lookback);
        var type = watermark.Types[0];
        var temporal = type.StartsWith("TIMESTAMP", StringComparison.Ordinal) || type is "DATE" or "TIME";
        if (!temporal && lookback.AsEpochNumber is { } number)
        {
            lookback = new Projects.Lookback(lookback.Text, number, Duration: null);
        }

        if (temporal != lookback.IsDuration)
        {
            throw new IncrementalStateException(watermark.Columns[0], temporal
                ? $"The cursor {watermark.Columns[0]} is a {type}, so 'lookback' must be a duration such as 10m or 2h, not '{lookback.Text}'."
                : $"The cursor {watermark.Columns[0]} is a {type}, so 'lookback' must be a number, not '{lookback.Text}'.");
        }

        var value = $"CAST({Quote.Literal(watermark.Values[0])} AS {type})";
        var shifted = type == "DATE" ? $"CAST({value} - {lookback.Sql} AS DATE)" : $"({value} - {lookback.Sql})";
        return (string)connection.Scalar($"SELECT {AsText(shifted, type)}")!;
    }

    /// <summary>
    /// A value's exact text; a TIMESTAMPTZ in UTC with its offset, whatever the session's time zone
    /// (but <c>infinity</c> as itself: no offset, which would make it unreadable as a bound).
    /// </summary>
    internal static string AsText(string expression, string type) => type == "TIMESTAMP WITH TIME ZONE"
        ? $"CASE WHEN isinf({expression}) THEN CAST({expression} AS VARCHAR) ELSE strftime({expression} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') || '+00' END"
        : $"CAST({expression} AS VARCHAR)";
}
