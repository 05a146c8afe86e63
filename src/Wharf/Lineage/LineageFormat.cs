using System.Text;
using System.Text.Json;

namespace Wharf.Lineage;

/// <summary>The lineage as text (an indented tree), JSON, Mermaid or Graphviz dot.</summary>
internal static class LineageFormat
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Text(LineageGraph graph, bool upstream = false)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder();
        var roots = upstream
            ? graph.Nodes.Where(n => !graph.Downstream(n.Id).Any())
            : graph.Nodes.Where(n => !graph.Upstream(n.Id).Any());
        foreach (var root in roots)
        {
            Write(root.Id, 0, []);
        }

        return text.ToString();

        void Write(string id, int depth, HashSet<string> path)
        {
            var node = graph.Find(id)!;
            text.Append(' ', depth * 2).Append(depth == 0 ? "" : upstream ? "← " : "→ ")
                .Append(node.Kind.ToString().ToLowerInvariant()).Append(' ').Append(node.Name)
                .AppendLine(node.Detail is null ? "" : $"  ({node.Detail})");
            if (!path.Add(id))
            {
                return;
            }

            foreach (var next in upstream ? graph.Upstream(id) : graph.Downstream(id))
            {
                Write(next, depth + 1, path);
            }

            path.Remove(id);
        }
    }

    public static string Json(LineageGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var document = new
        {
            nodes = graph.Nodes.Select(n => new { id = n.Id, kind = n.Kind.ToString().ToLowerInvariant(), name = n.Name, detail = n.Detail }),
            edges = graph.Edges.Select(e => new { from = e.From, to = e.To }),
        };
        return JsonSerializer.Serialize(document, Indented);
    }

    public static string Mermaid(LineageGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var ids = graph.Nodes.Select((n, i) => (n.Id, Short: $"n{i}")).ToDictionary(p => p.Id, p => p.Short, StringComparer.Ordinal);
        var text = new StringBuilder("flowchart LR\n");
        foreach (var node in graph.Nodes)
        {
            var (open, close) = node.Kind switch
            {
                LineageKind.Source => ("[(", ")]"),
                LineageKind.Lake => ("[/", "/]"),
                LineageKind.Model => ("([", "])"),
                LineageKind.Export => ("[\\", "\\]"),
                _ => ("[", "]"),
            };
            text.Append("  ").Append(ids[node.Id]).Append(open).Append('"').Append(Escape(node.Name)).Append('"').Append(close).Append('\n');
        }

        foreach (var edge in graph.Edges)
        {
            text.Append("  ").Append(ids[edge.From]).Append(" --> ").Append(ids[edge.To]).Append('\n');
        }

        return text.ToString();

        static string Escape(string value) => value.Replace("\"", "#quot;", StringComparison.Ordinal);
    }

    public static string Dot(LineageGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var text = new StringBuilder("digraph lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n");
        foreach (var node in graph.Nodes)
        {
            var shape = node.Kind switch
            {
                LineageKind.Source => "cylinder",
                LineageKind.Lake => "folder",
                LineageKind.Model => "box, style=rounded",
                LineageKind.Seed or LineageKind.Export => "note",
                _ => "box",
            };
            text.Append("  ").Append(Quoted(node.Id)).Append(" [label=").Append(Quoted(node.Name)).Append(", shape=").Append(shape).Append("];\n");
        }

        foreach (var edge in graph.Edges)
        {
            text.Append("  ").Append(Quoted(edge.From)).Append(" -> ").Append(Quoted(edge.To)).Append(";\n");
        }

        return text.Append("}\n").ToString();

        static string Quoted(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
