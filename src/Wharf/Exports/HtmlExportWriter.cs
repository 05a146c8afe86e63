using System.Data.Common;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>A page with one readable table: a sticky header, striped rows, numbers right-aligned, NULL shown as such.</summary>
internal sealed class HtmlExportWriter : IExportWriter
{
    private const string Style = """
        body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #1f2328; }
        h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
        p.meta { color: #59636e; margin: 0 0 1rem; }
        table { border-collapse: collapse; }
        th, td { padding: .35rem .75rem; border-bottom: 1px solid #d1d9e0; text-align: left; white-space: nowrap; }
        th { position: sticky; top: 0; background: #f6f8fa; font-weight: 600; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        td.null { color: #8c959f; font-style: italic; }
        """;

    /// <summary>Escapes markup, keeps letters of every script as they are.</summary>
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly StreamWriter writer;
    private readonly IReadOnlyList<(int Ordinal, ExportColumn Column)> columns;
    private long rows;

    public HtmlExportWriter(Stream output, IReadOnlyList<(int Ordinal, ExportColumn Column)> columns, string title)
    {
        this.columns = columns;
        writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine($"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{Html.Encode(title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>");
        writer.WriteLine($"<h1>{Html.Encode(title)}</h1>");
        writer.WriteLine("<table>\n<thead><tr>" + string.Join("", columns.Select(c => $"<th>{Html.Encode(c.Column.Name)}</th>")) + "</tr></thead>\n<tbody>");
    }

    public Task WriteRowAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        writer.Write("<tr>");
        foreach (var (ordinal, column) in columns)
        {
            var text = ExportValues.Text(reader, ordinal, column);
            writer.Write(text is null ? "<td class=\"null\">NULL</td>"
                : MarkdownExportWriter.IsNumber(column.Kind) ? $"<td class=\"n\">{Html.Encode(text)}</td>"
                : $"<td>{Html.Encode(text)}</td>");
        }

        writer.Write("</tr>\n");
        rows++;
        return Task.CompletedTask;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync($"</tbody>\n</table>\n<p class=\"meta\">{rows:N0} row(s), written by Wharf.</p>\n</body>\n</html>");
        await writer.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await writer.DisposeAsync();
}
