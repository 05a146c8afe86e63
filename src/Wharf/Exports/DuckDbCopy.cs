using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>
/// DuckDB's own <c>COPY … TO</c>, for the formats it writes (CSV, gzipped CSV, Parquet, JSON):
/// the engine streams the result straight to the file, so an export costs what DuckDB's COPY does.
/// </summary>
internal static class DuckDbCopy
{
    /// <summary>The COPY statement, or null for a format DuckDB does not write (xlsx, html, md).</summary>
    public static string? Statement(string query, string path, ExportFormat format, IReadOnlyList<string> partitionBy)
    {
        var options = format switch
        {
            ExportFormat.Csv => "FORMAT csv, HEADER true",
            ExportFormat.CsvGz => "FORMAT csv, HEADER true, COMPRESSION gzip",
            ExportFormat.Parquet => "FORMAT parquet, COMPRESSION zstd",
            ExportFormat.NdJson => "FORMAT json",
            ExportFormat.Json => "FORMAT json, ARRAY true",
            _ => null,
        };
        if (options is null)
        {
            return null;
        }

        if (partitionBy.Count > 0)
        {
            options += $", PARTITION_BY ({string.Join(", ", partitionBy.Select(Quote.Identifier))})";
        }

        return $"COPY ({query}) TO {Quote.Literal(path)} ({options})";
    }
}
