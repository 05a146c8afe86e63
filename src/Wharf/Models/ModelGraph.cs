using System.Collections.Immutable;
using Wharf.Projects;

namespace Wharf.Models;

/// <summary>
/// The DAG of seeds and models by their <c>ref()</c>s: the order to build in (every node after
/// what it reads), and selection (<c>name</c>, <c>+name</c>, <c>name+</c>, <c>tag:x</c>,
/// <c>path:models/marts</c>, <c>stg_*</c>).
/// </summary>
internal sealed class ModelGraph
{
    private readonly Dictionary<string, ImmutableArray<string>> upstream;
    private readonly Dictionary<string, List<string>> downstream = new(StringComparer.Ordinal);
    private readonly ModelProject project;
    private readonly Dictionary<string, ModelConfig> configs;

    private ModelGraph(ModelProject project, Dictionary<string, ImmutableArray<string>> upstream, Dictionary<string, ModelConfig> configs, ImmutableArray<string> order)
    {
        this.project = project;
        this.upstream = upstream;
        this.configs = configs;
        Order = order;
        foreach (var name in order)
        {
            downstream[name] = [];
        }

        foreach (var (name, parents) in upstream)
        {
            foreach (var parent in parents)
            {
                downstream[parent].Add(name);
            }
        }
    }

    /// <summary>Every seed and enabled model, each after the nodes it refs; ties in name order.</summary>
    public ImmutableArray<string> Order { get; }

    public ImmutableArray<string> Upstream(string name) => upstream.GetValueOrDefault(name, []);

    public IReadOnlyList<string> Downstream(string name) => downstream.GetValueOrDefault(name) ?? [];

    public bool IsSeed(string name) => project.Seeds.Any(s => s.Name == name);

    /// <exception cref="ProjectFileException">A ref names nothing (file, line and column), or models ref each other in a cycle (the chain).</exception>
    public static ModelGraph Build(ModelProject project, ModelCompiler compiler)
    {
        ArgumentNullException.ThrowIfNull(project);
        var upstream = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        var configs = new Dictionary<string, ModelConfig>(StringComparer.Ordinal);
        foreach (var seed in project.Seeds)
        {
            upstream[seed.Name] = [];
        }

        foreach (var model in project.Models.Where(compiler.IsEnabled))
        {
            var parsed = compiler.Parse(model);
            upstream[model.Name] = parsed.Refs;
            configs[model.Name] = parsed.Config;
        }

        return new ModelGraph(project, upstream, configs, Sort(project, upstream));
    }

    /// <summary>Kahn's algorithm, ready nodes taken in name order so the order is stable; what is left over is a cycle.</summary>
    private static ImmutableArray<string> Sort(ModelProject project, Dictionary<string, ImmutableArray<string>> upstream)
    {
        var waiting = upstream.ToDictionary(p => p.Key, p => p.Value.Count(upstream.ContainsKey), StringComparer.Ordinal);
        var ready = new SortedSet<string>(waiting.Where(w => w.Value == 0).Select(w => w.Key), StringComparer.Ordinal);
        var order = ImmutableArray.CreateBuilder<string>();
        while (ready.Count > 0)
        {
            var next = ready.Min!;
            ready.Remove(next);
            order.Add(next);
            foreach (var (name, parents) in upstream.Where(u => u.Value.Contains(next)))
            {
                if (--waiting[name] == 0)
                {
                    ready.Add(name);
                }
            }
        }

        if (order.Count < upstream.Count)
        {
            var chain = Cycle(upstream, waiting.Where(w => w.Value > 0).Select(w => w.Key).Min(StringComparer.Ordinal)!);
            var file = project.Models.First(m => m.Name == chain[0]).File;
            throw new ProjectFileException(file, $"models ref each other in a cycle: {string.Join(" → ", chain)}. A model cannot read itself, even through others.");
        }

        return order.ToImmutable();
    }

    /// <summary>Follows refs from <paramref name="start"/> until a node repeats: the cycle, from that node back to it.</summary>
    private static List<string> Cycle(Dictionary<string, ImmutableArray<string>> upstream, string start)
    {
        var path = new List<string>();
        var node = start;
        while (!path.Contains(node))
        {
            path.Add(node);
            node = upstream[node].Where(upstream.ContainsKey).Where(p => Reaches(upstream, p, node)).Order(StringComparer.Ordinal).First();
        }

        var cycle = path.Skip(path.IndexOf(node)).ToList();
        cycle.Reverse();
        cycle.Add(cycle[0]);
        return cycle;
    }

    private static bool Reaches(Dictionary<string, ImmutableArray<string>> upstream, string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([from]);
        while (stack.TryPop(out var node))
        {
            if (node == to)
            {
                return true;
            }

            if (seen.Add(node))
            {
                foreach (var parent in upstream.GetValueOrDefault(node, []).Where(upstream.ContainsKey))
                {
                    stack.Push(parent);
                }
            }
        }

        return false;
    }

    /// <summary>The nodes the selectors pick (their union), in build order; every node when none are given.</summary>
    /// <exception cref="WharfException">A selector picks nothing; the message lists what there is.</exception>
    public ImmutableArray<string> Select(IReadOnlyList<string> selectors)
    {
        if (selectors.Count == 0)
        {
            return Order;
        }

        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var selector in selectors.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var picked = Pick(selector);
            if (picked.Count == 0)
            {
                throw new WharfException($"--select '{selector}' matches no model or seed. There are: {string.Join(", ", Order)}.");
            }

            chosen.UnionWith(picked);
        }

        return [.. Order.Where(chosen.Contains)];
    }

    private HashSet<string> Pick(string selector)
    {
        var ancestors = selector.StartsWith('+');
        var descendants = selector.EndsWith('+');
        var core = selector.Trim('+');
        var matched = Order.Where(name => Matches(core, name)).ToHashSet(StringComparer.Ordinal);
        var result = new HashSet<string>(matched, StringComparer.Ordinal);
        foreach (var name in matched)
        {
            if (ancestors)
            {
                Walk(name, n => Upstream(n), result);
            }

            if (descendants)
            {
                Walk(name, Downstream, result);
            }
        }

        return result;
    }

    private bool Matches(string selector, string name)
    {
        var model = project.Models.FirstOrDefault(m => m.Name == name);
        var seed = project.Seeds.FirstOrDefault(s => s.Name == name);
        if (selector.StartsWith("tag:", StringComparison.Ordinal))
        {
            return configs.TryGetValue(name, out var config) && config.Tags.Contains(selector[4..]);
        }

        if (selector.StartsWith("path:", StringComparison.Ordinal))
        {
            var path = selector[5..].Trim('/');
            var file = model?.File ?? seed!.File;
            return file == path || file.StartsWith(path + "/", StringComparison.Ordinal);
        }

        if (selector.StartsWith("config.materialized:", StringComparison.Ordinal))
        {
            return configs.TryGetValue(name, out var config) && ModelConfig.Name(config.Materialized) == selector[20..];
        }

        return System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(selector, name, ignoreCase: false);
    }

    private static void Walk(string start, Func<string, IReadOnlyList<string>> next, HashSet<string> into)
    {
        var stack = new Stack<string>([start]);
        while (stack.TryPop(out var node))
        {
            foreach (var other in next(node))
            {
                if (into.Add(other))
                {
                    stack.Push(other);
                }
            }
        }
    }

}
