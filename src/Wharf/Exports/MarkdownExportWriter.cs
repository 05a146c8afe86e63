using System.Data.Common;
using System.Text;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>A GitHub-flavoured Markdown table: numbers right-aligned, <c>|</c> escaped, line breaks as <c>&lt;br&gt;</c>.</summary>
internal sealed class MarkdownExportWriter : IExportWriter
{
    private readonly StreamWriter writer;
    private readonly IReadOnlyList<(int Ordinal, ExportColumn Column)> columns;

    public MarkdownExportWriter(Stream output, IReadOnlyList<(int Ordinal, ExportColumn Column)> columns)
    {
        this.columns = columns;
        writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine("| " + string.Join(" | ", columns.Select(c => Cell(c.Column.Name))) + " |");
        writer.WriteLine("|" + string.Join("|", columns.Select(c => IsNumber(c.Column.Kind) ? "---:" : "---")) + "|");
    }

    public static bool IsNumber(ValueKind kind) => kind is ValueKind.Integer or ValueKind.Decimal or ValueKind.Float;

    public Task WriteRowAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        writer.Write("| ");
        writer.Write(string.Join(" | ", columns.Select(c => Cell(ExportValues.Text(reader, c.Ordinal, c.Column) ?? ""))));
        writer.Write(" |\n");
        return Task.CompletedTask;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken) => await writer.FlushAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await writer.DisposeAsync();

    private static string Cell(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("\r\n", "<br>", StringComparison.Ordinal)
        // A lone \r (old Mac text) is a line break too: left as it was, Markdown readers dropped it or ended the row there.
        .Replace("\r", "<br>", StringComparison.Ordinal)
        .Replace("\n", "<br>", StringComparison.Ordinal);
}
