using System.Text.RegularExpressions;
using Wharf.Projects;
using Wharf.Schema;

namespace Wharf.Transforms;

/// <summary>
/// The processors that change the grain of the rows (seed 004's sensor pipeline): <c>resample</c>
/// (rows into time windows, aggregated) and <c>unpivot</c> (wide columns into tidy rows). Like the
/// others they compile to one DuckDB query over the previous step, so they run the same for both
/// warehouses and stream.
/// </summary>
internal static class ReshapeSql
{
    /// <summary>
    /// One row per <c>by</c> group and window that has rows (empty windows are absent, as in pandas'
    /// <c>resample().agg().dropna(how='all')</c>). Wharf's carried columns keep their smallest value:
    /// the run, and the first file and row the window came from.
    /// </summary>
    public static string Resample(ResampleSettings resample, string from, IReadOnlyList<StagedColumn> columns, IReadOnlyList<string> carried, string table, string step)
    {
        StagedColumn Pick(string name) => ColumnNames.Pick(columns, [name], c => c.Name, table, step)[0];
        var time = Pick(resample.Time);
        var timeSql = Quote.Identifier(time.Name);
        var (bucketed, origin) = time.Type switch
        {
            "TIMESTAMP WITH TIME ZONE" => (timeSql, $"CAST({Quote.Literal(resample.Origin ?? "1970-01-01 00:00:00+00")} AS TIMESTAMPTZ)"),
            "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" or "DATE" =>
                ($"CAST({timeSql} AS TIMESTAMP)", $"CAST({Quote.Literal(resample.Origin ?? "1970-01-01 00:00:00")} AS TIMESTAMP)"),
            _ => throw new TransformException(table, step, $"{step} for {table}: the time column '{time.Name}' is {LogicalType.FromDuckDb(time.Type)}, not a timestamp. Parse it first (parse_timestamp or cast)."),
        };

        var by = resample.By.Select(b => Quote.Identifier(Pick(b).Name)).ToList();
        var window = $"time_bucket({resample.Every.Sql}, {bucketed}, {origin}) AS {timeSql}";
        var aggregates = resample.Aggregate.SelectMany(a =>
        {
            var column = Pick(a.Key);
            return a.Value.Select(f => string.Format(System.Globalization.CultureInfo.InvariantCulture, ResampleSettings.Functions[f], Quote.Identifier(column.Name), timeSql)
                + $" AS {Quote.Identifier($"{column.Name}_{f}")}");
        });
        var kept = carried.Select(c => $"min({Quote.Identifier(c)}) AS {Quote.Identifier(c)}");
        return $"SELECT {string.Join(", ", by.Append(window).Concat(aggregates).Concat(kept))} {from} GROUP BY ALL";
    }

    /// <summary>Each listed column becomes a row of (name, value) beside the columns not listed; NULL values are kept unless <c>drop_nulls</c>.</summary>
    public static string Unpivot(UnpivotSettings unpivot, string from, IReadOnlyList<StagedColumn> columns, string table, string step)
    {
        var picked = new List<string>();
        foreach (var wanted in unpivot.Columns)
        {
            var matches = wanted.Contains('*', StringComparison.Ordinal) || wanted.Contains('?', StringComparison.Ordinal)
                ? columns.Where(c => Glob(wanted).IsMatch(c.Name)).Select(c => c.Name).ToList()
                : [ColumnNames.Pick(columns, [wanted], c => c.Name, table, step)[0].Name];
            picked.AddRange(matches.Count > 0
                ? matches.Where(m => !picked.Contains(m))
                : throw new TransformException(table, step, $"{step} for {table}: the pattern '{wanted}' matches no column ({string.Join(", ", columns.Select(c => c.Name))})."));
        }

        var nulls = unpivot.DropNulls ? "" : " INCLUDE NULLS";
        return $"SELECT * {from} UNPIVOT{nulls} ({Quote.Identifier(unpivot.Value)} FOR {Quote.Identifier(unpivot.Name)} IN ({string.Join(", ", picked.Select(Quote.Identifier))}))";
    }

    private static Regex Glob(string pattern) =>
        new($"^{Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal)}$", RegexOptions.CultureInvariant);
}
