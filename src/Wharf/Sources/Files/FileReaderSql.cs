using System.Globalization;
using Wharf.Projects;

namespace Wharf.Sources.Files;

/// <summary>
/// The DuckDB reader call for a file set. CSV dialects are given explicitly (header, delimiter,
/// quote, escape, no skipped lines, strict mode), because DuckDB's sniffer would otherwise guess
/// its way around a broken file and load it wrong instead of failing.
/// </summary>
internal static class FileReaderSql
{
    /// <param name="textColumns">CSV/TSV columns to read as their text (VARCHAR) whatever they hold.</param>
    public static string Build(FileFormat format, IReadOnlyList<string> files, CsvOptions csv, IReadOnlyCollection<string>? textColumns = null)
    {
        var list = "[" + string.Join(", ", files.Select(Quote.Literal)) + "]";
        var many = files.Count > 1 ? ", union_by_name = true" : "";
        var types = textColumns is { Count: > 0 }
            ? $", types = {{{string.Join(", ", textColumns.Select(c => $"{Quote.Literal(c)}: 'VARCHAR'"))}}}"
            : "";
        return format switch
        {
            FileFormat.Csv or FileFormat.Tsv => $"read_csv({list}{CsvOptions(format, csv)}{types}{many})",
            FileFormat.Json => $"read_json({list}, format = 'auto'{many})", // an array of records, or records one after another (a single object too)
            FileFormat.NdJson => $"read_json({list}, format = 'newline_delimited'{many})",
            FileFormat.Parquet => $"read_parquet({list}{many})",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "A format must be resolved before reading."),
        };
    }

    private static string CsvOptions(FileFormat format, CsvOptions csv)
    {
        var options = new List<string>
        {
            $"header = {((csv.Header ?? true) ? "true" : "false")}",
            $"delim = {Quote.Literal(csv.Delimiter ?? (format == FileFormat.Tsv ? "\t" : ","))}",
            $"quote = {Quote.Literal(csv.Quote ?? "\"")}",
            $"escape = {Quote.Literal(csv.Escape ?? csv.Quote ?? "\"")}",
            $"skip = {(csv.Skip ?? 0).ToString(CultureInfo.InvariantCulture)}",
            "strict_mode = true",

            // A quoted empty field ("") is an empty string; only an unquoted empty field is NULL.
            "allow_quoted_nulls = false",
        };
        if (csv.Encoding is { } encoding)
        {
            options.Add($"encoding = {Quote.Literal(encoding)}");
        }

        if (!csv.NullStrings.IsDefaultOrEmpty)
        {
            // DuckDB's default null string is the empty one; a list given replaces it, and an
            // unquoted empty field would become an empty string (and its column text).
            var nulls = csv.NullStrings.Contains("") ? csv.NullStrings : csv.NullStrings.Add("");
            options.Add($"nullstr = [{string.Join(", ", nulls.Select(Quote.Literal))}]");
        }

        if (csv.DateFormat is { } dateFormat)
        {
            options.Add($"dateformat = {Quote.Literal(dateFormat)}");
        }

        if (csv.TimestampFormat is { } timestampFormat)
        {
            options.Add($"timestampformat = {Quote.Literal(timestampFormat)}");
        }

        return ", " + string.Join(", ", options);
    }
}
