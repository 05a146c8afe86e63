namespace Wharf.Tests.Architecture;

/// <summary>
/// The parts of Wharf.Core (folders = namespaces, docs/architecture.md) depend on each other in one
/// direction only: someone adding a source, a warehouse or a processor can read a part without the
/// parts above it. The test fails when a cycle comes back, naming a type on each edge of it.
/// </summary>
public sealed class PartCycleTests
{
    [Fact]
    public void Parts_DependOnEachOther_WithoutCycles()
    {
        var uses = PartDependencies.Read(typeof(WharfProject).Assembly.Location);

        var cycles = StronglyConnected(uses).Where(c => c.Count > 1).ToList();

        cycles.ShouldBeEmpty(string.Join("\n", cycles.Select(c => Describe(c, uses))));
    }

    [Fact]
    public void Reader_SeesDependenciesInMethodBodies_AndLambdas()
    {
        // The façade opens the warehouse only inside async methods: the reader must find it there.
        var uses = PartDependencies.Read(typeof(WharfProject).Assembly.Location);

        uses[PartDependencies.Facade].Keys.ShouldContain("Warehouses");
        uses["Pipelines"].Keys.ShouldContain("Sources");
    }

    [Fact]
    public void Cycle_IsFound_WhenTwoPartsUseEachOther()
    {
        var uses = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "A.X uses B.Y" },
            ["B"] = new() { ["C"] = "B.Y uses C.Z" },
            ["C"] = new() { ["A"] = "C.Z uses A.X" },
            ["D"] = new() { ["A"] = "D.W uses A.X" },
        };

        StronglyConnected(uses).Where(c => c.Count > 1).Single().Order().ShouldBe(["A", "B", "C"]);
    }

    /// <summary>Tarjan's strongly connected components: each cycle comes out as one set of parts.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> uses)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var components = new List<List<string>>();
        void Visit(string part)
        {
            index[part] = low[part] = index.Count;
            stack.Push(part);
            foreach (var next in uses.GetValueOrDefault(part)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[part] = Math.Min(low[part], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[part] = Math.Min(low[part], seen);
                }
            }

            if (low[part] == index[part])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != part);
                components.Add(component);
            }
        }

        foreach (var part in uses.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(part))
            {
                Visit(part);
            }
        }

        return components;
    }

    private static string Describe(List<string> cycle, Dictionary<string, Dictionary<string, string>> uses)
    {
        var members = cycle.ToHashSet();
        var edges = cycle.SelectMany(from => uses[from].Where(e => members.Contains(e.Key)).Select(e => $"  {from} -> {e.Key}: {e.Value}"));
        return $"cycle between {string.Join(", ", cycle.Order())}:\n{string.Join("\n", edges)}";
    }
}
