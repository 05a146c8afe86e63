using System.Globalization;
using System.Text;
using Wharf.Lineage;

namespace Wharf.Docs;

/// <summary>
/// The lineage graph drawn as SVG, left to right: each node in the column of its longest path
/// from a root, nodes of a column in name order, edges as curves; nodes with a page are links.
/// </summary>
internal static class LineageSvg
{
    private const int Width = 210, Height = 34, ColumnGap = 70, RowGap = 16, Margin = 12;

    public static string Draw(LineageGraph graph, Func<LineageNode, string?> link, string? highlight = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var nodes = graph.Nodes;
        var rank = nodes.ToDictionary(n => n.Id, _ => 0, StringComparer.Ordinal);
        // Longest path by relaxing every edge as many times as there are nodes (lineage is small and has no cycles).
        for (var pass = 0; pass < nodes.Count; pass++)
        {
            var changed = false;
            foreach (var edge in graph.Edges)
            {
                if (rank[edge.To] < rank[edge.From] + 1)
                {
                    rank[edge.To] = rank[edge.From] + 1;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        var place = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        foreach (var column in nodes.GroupBy(n => rank[n.Id]))
        {
            var row = 0;
            foreach (var node in column.OrderBy(n => n.Name, StringComparer.Ordinal))
            {
                place[node.Id] = (Margin + (column.Key * (Width + ColumnGap)), Margin + (row++ * (Height + RowGap)));
            }
        }

        var width = place.Count == 0 ? 2 * Margin : place.Values.Max(p => p.X) + Width + Margin;
        var height = place.Count == 0 ? 2 * Margin : place.Values.Max(p => p.Y) + Height + Margin;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lineage\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"lineage\">\n");
        foreach (var edge in graph.Edges)
        {
            var (x1, y1) = place[edge.From];
            var (x2, y2) = place[edge.To];
            var (sx, sy, ex, ey) = (x1 + Width, y1 + (Height / 2.0), x2, y2 + (Height / 2.0));
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"edge\" d=\"M{sx},{sy} C{sx + (ColumnGap / 2.0)},{sy} {ex - (ColumnGap / 2.0)},{ey} {ex},{ey}\"/>\n");
        }

        foreach (var node in nodes)
        {
            var (x, y) = place[node.Id];
            var label = node.Name.Length > 30 ? "…" + node.Name[^29..] : node.Name;
            var kind = node.Kind.ToString().ToLowerInvariant();
            var box = string.Create(CultureInfo.InvariantCulture,
                $"<g class=\"node {kind}{(node.Id == highlight ? " current" : "")}\"><title>{Encode(node.Kind + " " + node.Name + (node.Detail is null ? "" : " — " + node.Detail))}</title>" +
                $"<rect x=\"{x}\" y=\"{y}\" width=\"{Width}\" height=\"{Height}\" rx=\"6\"/><text x=\"{x + 10}\" y=\"{y + 21}\">{Encode(label)}</text></g>");
            svg.Append(link(node) is { } href ? $"<a href=\"{Encode(href)}\">{box}</a>\n" : box + "\n");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Encode(string text) => DocsPage.Encode(text);
}
