using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Wharf.Lineage;
using Wharf.Models;
using Wharf.Server.Api;

namespace Wharf.Server.Dashboard;

/// <summary>The lineage graph as SVG: one column per kind (sources → lake → tables → models), tables and models linked to their pages.</summary>
internal static class LineagePage
{
    private const int ColumnWidth = 240;
    private const int RowHeight = 34;

    public static async Task<IResult> RenderAsync(HttpContext context, ServerData data, ProjectState state)
    {
        var project = state.Project;
        var models = await ModelProjectReader.ReadAsync(project, context.RequestAborted);
        var graph = LineageReader.Build(project, models, await data.RunsAsync(ApiEndpoints.MaxRuns, null, context.RequestAborted));
        var columns = graph.Nodes.GroupBy(n => n.Kind).OrderBy(g => g.Key).ToList();
        var place = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
        {
            var row = 0;
            foreach (var node in columns[c])
            {
                place[node.Id] = ((c * ColumnWidth) + 10, (row++ * RowHeight) + 30);
            }
        }

        var height = (columns.Select(c => c.Count()).DefaultIfEmpty(0).Max() * RowHeight) + 40;
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg role=img viewBox=\"0 0 {(columns.Count * ColumnWidth) + 20} {height}\" width=\"100%\" style=\"background:#fff;border:1px solid #e3e6eb\">");
        for (var c = 0; c < columns.Count; c++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(c * ColumnWidth) + 10}\" y=\"18\" font-weight=\"600\" font-size=\"12\">{columns[c].Key.ToString().ToLowerInvariant()}</text>");
        }

        foreach (var edge in graph.Edges.Where(e => place.ContainsKey(e.From) && place.ContainsKey(e.To)))
        {
            var (from, to) = (place[edge.From], place[edge.To]);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{from.X + 200}\" y1=\"{from.Y + 12}\" x2=\"{to.X}\" y2=\"{to.Y + 12}\" stroke=\"#9aa3b2\"/>");
        }

        foreach (var node in graph.Nodes)
        {
            var (x, y) = place[node.Id];
            var box = $"<rect x=\"{x}\" y=\"{y}\" width=\"200\" height=\"24\" rx=\"4\" fill=\"#eef0f4\" stroke=\"#6b7280\"/><text x=\"{x + 6}\" y=\"{y + 16}\" font-size=\"12\"><title>{Html.Encode(node.Id)}{(node.Detail is null ? "" : " · " + Html.Encode(node.Detail))}</title>{Html.Encode(Shorten(node.Name))}</text>";
            var dot = node.Name.IndexOf('.', StringComparison.Ordinal);
            svg.Append(node.Kind is LineageKind.Table or LineageKind.Model && dot > 0
                ? $"<a href=\"/tables/{Uri.EscapeDataString(node.Name[..dot])}/{Uri.EscapeDataString(node.Name[(dot + 1)..])}\">{box}</a>"
                : box);
        }

        return Results.Content(Html.Page("Lineage", svg.Append("</svg>").ToString(), state.Problem), "text/html; charset=utf-8");
    }

    private static string Shorten(string name) => name.Length <= 30 ? name : name[..29] + "…";
}
