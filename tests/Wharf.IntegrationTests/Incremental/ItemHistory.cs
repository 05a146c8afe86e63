using Wharf.Runs;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>One row of the source table <c>items</c> (id int primary key, name text, amount numeric(12,2), updated_at timestamptz).</summary>
internal sealed record Item(long Id, string? Name, decimal? Amount, DateTime? UpdatedAt)
{
    public static Item From(object?[] row) => new((long)row[0]!, (string?)row[1], (decimal?)row[2], (DateTime?)row[3]);

    /// <summary>Value equality that ignores a decimal's scale (10.5 = 10.50).</summary>
    public string Values => $"name={IncrementalProject.Format(Name)} amount={IncrementalProject.Format(Amount)} updated_at={IncrementalProject.Format(UpdatedAt)}";

    public override string ToString() => $"id={Id} {Values}";
}

/// <summary>
/// What the source looked like at each run, and the runs' ids: from these, what each write mode
/// must have made of the table. Independent of how Wharf computes it: a plain replay of the states.
/// </summary>
internal sealed class ItemHistory
{
    private readonly List<Dictionary<long, Item>> states = [];
    private readonly List<string> runIds = [];

    public int Runs => runIds.Count;

    /// <summary>Records the source's state as the run <paramref name="runId"/> saw it.</summary>
    public void Add(IEnumerable<Item> state, string runId)
    {
        states.Add(state.ToDictionary(i => i.Id));
        runIds.Add(runId);
    }

    /// <summary>"run N" for a run id of this history (1-based), for readable failures.</summary>
    public string Name(string? runId)
    {
        var index = runIds.IndexOf(runId ?? "");
        return index < 0 ? $"unknown run {runId}" : $"run {index + 1}";
    }

    /// <summary>When run <paramref name="index"/> started: its _wharf_loaded_at and the time its SCD2 versions open and close.</summary>
    public DateTime StartOf(int index) => RunId.StartedAt(runIds[index]).UtcDateTime;

    public IReadOnlyCollection<Item> Current => states[^1].Values;

    /// <summary>Append: every version any run saw, once, tagged with the first run that saw it.</summary>
    public List<string> Appended()
    {
        var seen = new Dictionary<string, (Item Item, int Run)>();
        for (var run = 0; run < states.Count; run++)
        {
            foreach (var item in states[run].Values)
            {
                seen.TryAdd(item.ToString(), (item, run));
            }
        }

        return [.. seen.Values.OrderBy(v => v.Item.Id).ThenBy(v => v.Item.UpdatedAt).Select(v => $"{v.Item} by run {v.Run + 1}")];
    }

    /// <summary>Merge: the current rows, each tagged with the run that wrote its present values (unchanged rows are not rewritten).</summary>
    public List<string> Merged() =>
        [.. states[^1].Values.OrderBy(i => i.Id).Select(i => $"{i} by run {StreakStart(i.Id, states.Count - 1) + 1}")];

    /// <summary>Soft deletes: rows gone from the source, with their last values and the run whose start marks them deleted.</summary>
    public List<string> SoftDeleted()
    {
        var result = new List<string>();
        foreach (var id in states.SelectMany(s => s.Keys).Distinct().Order())
        {
            if (states[^1].ContainsKey(id))
            {
                continue;
            }

            var last = states.FindLastIndex(s => s.ContainsKey(id));
            result.Add($"{states[last][id]} by run {StreakStart(id, last) + 1} deleted at {IncrementalProject.Format(StartOf(last + 1))}");
        }

        return result;
    }

    /// <summary>
    /// SCD2: per key, one version per distinct state in a row of runs: opened by the run that first
    /// saw it (valid_from = that run's start), closed by the run that saw a change or the key gone
    /// (valid_to = that run's start), current while the source still has it unchanged.
    /// </summary>
    public List<string> Versions()
    {
        var result = new List<string>();
        foreach (var id in states.SelectMany(s => s.Keys).Distinct().Order())
        {
            (Item Item, int Run)? open = null;
            for (var run = 0; run < states.Count; run++)
            {
                var present = states[run].TryGetValue(id, out var item);
                if (open is { } o && (!present || o.Item.Values != item!.Values))
                {
                    result.Add(Version(o.Item, o.Run, StartOf(run)));
                    open = null;
                }

                if (present && open is null)
                {
                    open = (item!, run);
                }
            }

            if (open is { } last)
            {
                result.Add(Version(last.Item, last.Run, null));
            }
        }

        return result;
    }

    /// <summary>A version as the tests print it: its values, the run that opened it, and when it was valid.</summary>
    public string Version(Item item, int openedBy, DateTime? validTo) =>
        $"{item} by run {openedBy + 1} valid_from={IncrementalProject.Format(StartOf(openedBy))} valid_to={IncrementalProject.Format(validTo)} current={IncrementalProject.Format(validTo is null)}";

    /// <summary>The index (0-based) of a run of this history.</summary>
    public int IndexOf(string runId) => runIds.IndexOf(runId);

    /// <summary>The first run of the unbroken stretch of runs, ending at <paramref name="run"/>, that saw the key with the same values.</summary>
    private int StreakStart(long id, int run)
    {
        var values = states[run][id].Values;
        while (run > 0 && states[run - 1].TryGetValue(id, out var earlier) && earlier.Values == values)
        {
            run--;
        }

        return run;
    }
}
