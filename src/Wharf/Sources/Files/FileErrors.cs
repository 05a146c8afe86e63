using DuckDB.NET.Data;
using System.Text;
using System.Text.RegularExpressions;
using Wharf.DuckDb;
using Wharf.Projects;

namespace Wharf.Sources.Files;

/// <summary>Turns a DuckDB reader error into one paragraph that names the file, the line and the fix.</summary>
internal static partial class FileErrors
{
    [GeneratedRegex(@"CSV Error on Line: (?<line>\d+)")]
    private static partial Regex CsvLine();

    public static SourceException Explain(
        DuckDbException error,
        FileFormat format,
        IReadOnlyList<string> files,
        PipelineSettings pipeline,
        ConnectionSettings connection,
        Func<string, string> relative)
    {
        var prefix = $"Pipeline '{pipeline.Name}' ({pipeline.Location})";
        if (error.Message.Contains("not utf-8 encoded", StringComparison.OrdinalIgnoreCase) && NotUtf8(files) is ({ } encoded, { } notUtf8))
        {
            return new SourceException(connection.Name, pipeline.Table,
                $"{prefix}: cannot read {relative(encoded)}, line {notUtf8.Line}, column {notUtf8.Column}: {notUtf8.Message}, and files are read as UTF-8 unless told otherwise. " +
                "If the file comes from Excel or an older system it is most likely Latin-1 (or Windows-1252): set csv: { encoding: latin-1 } in the pipeline; " +
                "for UTF-16, encoding: utf-16. Nothing was loaded.", error)
            { File = relative(encoded), Line = notUtf8.Line };
        }

        if (format is FileFormat.Csv or FileFormat.Tsv or FileFormat.Json or FileFormat.NdJson)
        {
            var csv = format is FileFormat.Csv or FileFormat.Tsv;
            foreach (var file in files)
            {
                if (Diagnose(file, format, pipeline.Csv) is { } problem)
                {
                    var fix = csv
                        ? "Fix the file, or set 'csv:' options (delimiter, quote, escape, header) in the pipeline if the file uses another dialect."
                        : "Fix the file, or set 'format:' if it is not JSON (for .json an array of objects, or objects one after another; for .ndjson/.jsonl one object per line).";
                    return new SourceException(connection.Name, pipeline.Table,
                        $"{prefix}: cannot read {relative(file)}, line {problem.Line}, column {problem.Column}: {problem.Message}. {fix} Nothing was loaded.", error)
                    { File = relative(file), Line = problem.Line };
                }
            }
        }

        var culprit = files.FirstOrDefault(f => error.Message.Contains(f, StringComparison.Ordinal) || error.Message.Contains(Path.GetFileName(f), StringComparison.Ordinal));
        var line = CsvLine().Match(error.Message) is { Success: true } m ? long.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        var where = culprit is not null ? relative(culprit) + (line is not null ? $", line {line}" : "") : DescribeFiles(files, relative);
        var hint = format switch
        {
            FileFormat.Parquet => "Check that the file really is Parquet (not a CSV renamed), or set 'format:'.",
            FileFormat.Json or FileFormat.NdJson => "Check that the file is valid JSON (for .json an array of objects, or objects one after another; for .ndjson/.jsonl one object per line), or set 'format:'.",
            _ => "Check the file and the pipeline's 'csv:' options.",
        };
        return new SourceException(connection.Name, pipeline.Table,
            $"{prefix}: cannot read {where} as {format.ToString().ToUpperInvariant()}: {error.Summary} {hint} Nothing was loaded.", error)
        { File = culprit is null ? null : relative(culprit), Line = line };
    }

    /// <summary>The first file with a byte that is not UTF-8, and where.</summary>
    private static (string? File, FileProblem? Problem) NotUtf8(IReadOnlyList<string> files)
    {
        foreach (var file in files.Where(f => Path.GetExtension(f).ToLowerInvariant() is not (".gz" or ".zst")))
        {
            try
            {
                if (Utf8Diagnosis.Find(file) is { } problem)
                {
                    return (file, problem);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return (null, null);
    }

    private static FileProblem? Diagnose(string file, FileFormat format, CsvOptions csv)
    {
        try
        {
            if (format is FileFormat.Json or FileFormat.NdJson)
            {
                return JsonDiagnosis.Find(file, newlineDelimited: format == FileFormat.NdJson);
            }

            var delimiter = (csv.Delimiter ?? (format == FileFormat.Tsv ? "\t" : ","))[0];
            var quote = (csv.Quote ?? "\"")[0];
            var escape = (csv.Escape ?? csv.Quote ?? "\"")[0];
            var encoding = csv.Encoding?.ToLowerInvariant() switch
            {
                "latin-1" or "latin1" or "iso-8859-1" => Encoding.Latin1,
                "utf-16" => Encoding.Unicode,
                _ => Encoding.UTF8,
            };
            return CsvDiagnosis.Find(file, delimiter, quote, escape, encoding, csv.Skip ?? 0);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string DescribeFiles(IReadOnlyList<string> files, Func<string, string> relative) =>
        files.Count == 1 ? relative(files[0]) : $"one of {files.Count} files ({string.Join(", ", files.Take(3).Select(relative))}{(files.Count > 3 ? ", …" : "")})";
}
