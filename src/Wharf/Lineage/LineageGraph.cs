using System.Collections.Immutable;

namespace Wharf.Lineage;

/// <summary>What a node of the lineage is.</summary>
internal enum LineageKind
{
    /// <summary>Something a pipeline reads: a source table, files, an endpoint.</summary>
    Source,

    /// <summary>A stream's extracts in the lake.</summary>
    Lake,

    /// <summary>A warehouse table a pipeline loads.</summary>
    Table,

    /// <summary>A seed's CSV file.</summary>
    Seed,

    /// <summary>A model's relation.</summary>
    Model,

    /// <summary>A file written by an export.</summary>
    Export,
}

/// <param name="Id">Unique in the graph: <c>table:main.orders</c>, <c>lake:shop/orders</c>, <c>source:shop: public.orders</c>.</param>
/// <param name="Name">What people call it: the table, the model, the file.</param>
/// <param name="Detail">More: the materialization, the connection, the file.</param>
internal sealed record LineageNode(string Id, LineageKind Kind, string Name, string? Detail = null);

internal sealed record LineageEdge(string From, string To);

/// <summary>
/// Table-level lineage, from source systems through the lake and the warehouse tables to models
/// and exports: what the project declares, completed by what runs really read and wrote.
/// </summary>
internal sealed class LineageGraph
{
    private readonly Dictionary<string, LineageNode> nodes = new(StringComparer.Ordinal);
    private readonly HashSet<LineageEdge> edges = [];

    public IReadOnlyList<LineageNode> Nodes => [.. nodes.Values.OrderBy(n => n.Kind).ThenBy(n => n.Id, StringComparer.Ordinal)];

    public IReadOnlyList<LineageEdge> Edges => [.. edges.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal)];

    public LineageNode? Find(string id) => nodes.GetValueOrDefault(id);

    /// <summary>Adds the node, or makes an existing one more specific (a table that turns out to be a model).</summary>
    internal LineageNode Add(LineageNode node)
    {
        if (nodes.TryGetValue(node.Id, out var existing) && (existing.Kind >= node.Kind || node.Kind == LineageKind.Table))
        {
            if (existing.Detail is null && node.Detail is not null)
            {
                nodes[node.Id] = existing with { Detail = node.Detail };
            }

            return nodes[node.Id];
        }

        nodes[node.Id] = node;
        return node;
    }

    internal void Link(LineageNode from, LineageNode to)
    {
        if (from.Id != to.Id)
        {
            edges.Add(new LineageEdge(from.Id, to.Id));
        }
    }

    /// <summary>The nodes a name means: an id, a table (<c>main.orders</c> or <c>orders</c>), a model, a pipeline's lake streams.</summary>
    public IReadOnlyList<LineageNode> Match(string name) =>
        nodes.TryGetValue(name, out var exact) ? [exact]
        : [.. nodes.Values.Where(n => n.Name == name || n.Id.EndsWith(":" + name, StringComparison.Ordinal) || n.Id.EndsWith("." + name, StringComparison.Ordinal)
            || (n.Kind == LineageKind.Lake && n.Name.StartsWith(name + "/", StringComparison.Ordinal))).OrderBy(n => n.Id, StringComparer.Ordinal)];

    /// <summary>The graph restricted to what reaches <paramref name="start"/> (upstream), what it reaches (downstream), or both.</summary>
    public LineageGraph Around(IEnumerable<LineageNode> start, bool upstream, bool downstream)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in start)
        {
            kept.Add(node.Id);
            if (upstream)
            {
                Walk(node.Id, e => e.To, e => e.From, kept);
            }

            if (downstream)
            {
                Walk(node.Id, e => e.From, e => e.To, kept);
            }
        }

        var result = new LineageGraph();
        foreach (var id in kept)
        {
            result.nodes[id] = nodes[id];
        }

        result.edges.UnionWith(edges.Where(e => kept.Contains(e.From) && kept.Contains(e.To)));
        return result;
    }

    public IEnumerable<string> Upstream(string id) => edges.Where(e => e.To == id).Select(e => e.From).Order(StringComparer.Ordinal);

    public IEnumerable<string> Downstream(string id) => edges.Where(e => e.From == id).Select(e => e.To).Order(StringComparer.Ordinal);

    private void Walk(string start, Func<LineageEdge, string> here, Func<LineageEdge, string> next, HashSet<string> into)
    {
        var stack = new Stack<string>([start]);
        while (stack.TryPop(out var id))
        {
            foreach (var edge in edges.Where(e => here(e) == id))
            {
                if (into.Add(next(edge)))
                {
                    stack.Push(next(edge));
                }
            }
        }
    }

    internal ImmutableArray<LineageNode> Roots => [.. Nodes.Where(n => !edges.Any(e => e.To == n.Id))];
}
