using System.Data.Common;
using System.IO.Compression;
using System.Text;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>RFC 4180 CSV with a header, UTF-8 without a BOM; NULL is an empty field, an empty string is <c>""</c>.</summary>
internal sealed class CsvExportWriter : IExportWriter
{
    private readonly StreamWriter writer;
    private readonly IReadOnlyList<(int Ordinal, ExportColumn Column)> columns;

    public CsvExportWriter(Stream output, IReadOnlyList<(int Ordinal, ExportColumn Column)> columns, bool gzip)
    {
        this.columns = columns;
        var stream = gzip ? new GZipStream(output, CompressionLevel.Fastest) : output;
        writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine(string.Join(',', columns.Select(c => Field(c.Column.Name))));
    }

    public Task WriteRowAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            var (ordinal, column) = columns[i];
            if (ExportValues.Text(reader, ordinal, column) is { } text)
            {
                writer.Write(Field(text));
            }
        }

        writer.Write('\n');
        return Task.CompletedTask;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken) => await writer.FlushAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await writer.DisposeAsync();

    /// <summary>Quoted when it must be: separators, quotes, line breaks, surrounding blanks, or empty (so it is not NULL).</summary>
    private static string Field(string value) =>
        value.Length == 0 || value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
