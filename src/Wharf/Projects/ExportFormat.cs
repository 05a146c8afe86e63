namespace Wharf.Projects;

/// <summary>The file formats <c>wharf export</c> writes.</summary>
internal enum ExportFormat
{
    Csv,

    /// <summary>CSV compressed with gzip.</summary>
    CsvGz,
    Parquet,

    /// <summary>One JSON array of objects.</summary>
    Json,

    /// <summary>One JSON object per line.</summary>
    NdJson,

    /// <summary>An Excel workbook (a sheet of at most 1,048,575 rows, then the next sheet).</summary>
    Xlsx,

    /// <summary>A page with a styled table.</summary>
    Html,

    /// <summary>A GitHub-flavoured Markdown table.</summary>
    Markdown,
}

internal static class ExportFormats
{
    public const string Names = "csv, csv.gz, parquet, json, ndjson, xlsx, html, md";

    /// <summary>A format by its name (<c>--format</c>), or null.</summary>
    public static ExportFormat? Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "csv" => ExportFormat.Csv,
        "csv.gz" or "csvgz" => ExportFormat.CsvGz,
        "parquet" => ExportFormat.Parquet,
        "json" => ExportFormat.Json,
        "ndjson" or "jsonl" => ExportFormat.NdJson,
        "xlsx" or "excel" => ExportFormat.Xlsx,
        "html" => ExportFormat.Html,
        "md" or "markdown" => ExportFormat.Markdown,
        _ => null,
    };

    /// <summary>The format a path's extension names (<c>report.xlsx</c>), or null.</summary>
    public static ExportFormat? FromPath(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        return name.EndsWith(".csv.gz", StringComparison.Ordinal) ? ExportFormat.CsvGz
            : name.EndsWith(".jsonl", StringComparison.Ordinal) ? ExportFormat.NdJson
            : Path.GetExtension(name) is { Length: > 1 } extension ? Parse(extension[1..]) : null;
    }

    public static string Extension(ExportFormat format) => format switch
    {
        ExportFormat.CsvGz => ".csv.gz",
        ExportFormat.Markdown => ".md",
        _ => "." + format.ToString().ToLowerInvariant(),
    };
}
