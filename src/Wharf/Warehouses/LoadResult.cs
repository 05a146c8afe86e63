using System.Collections.Immutable;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Staging;

namespace Wharf.Warehouses;

/// <summary>The audit record of a load, adding this load's counts to what earlier chunks of the run did.</summary>
internal static class LoadResult
{
    public static RunRecord Complete(LoadRequest request, TableWrite.Counts counts, DateTimeOffset finishedAt, StagedLoad? staged = null)
    {
        var before = request.Record;
        var written = counts.Inserted + counts.Updated;
        var setAside = (staged?.Quarantined ?? 0) + (staged?.Discarded ?? 0);
        return before with
        {
            RowsLoaded = before.RowsLoaded + written,
            RowsInserted = before.RowsInserted + counts.Inserted,
            RowsUpdated = before.RowsUpdated + counts.Updated,
            RowsDeleted = before.RowsDeleted + counts.Deleted,
            RowsUnchanged = before.RowsUnchanged + Math.Max(0, (staged?.Reshaped ?? request.Files.Sum(f => f.Rows) - setAside) - written),
            RowsQuarantined = before.RowsQuarantined + (staged?.Quarantined ?? 0),
            RowsDiscarded = before.RowsDiscarded + (staged?.Discarded ?? 0),
            Notes = staged is null ? before.Notes : [.. before.Notes.Union(staged.Notes)],
            Checks = staged is null ? before.Checks : Merge(before.Checks, staged.Checks),
            Status = request.Final ? RunStatus.Succeeded : RunStatus.Running,
            FinishedAt = finishedAt,
        };
    }

    /// <summary>
    /// An extract's record (its rows read, files, times and bytes) with what the loads of its parts
    /// did, counted apart while the extract ran (<see cref="PartedReplace"/>).
    /// </summary>
    public static RunRecord WithLoad(RunRecord extracted, RunRecord loaded) => extracted with
    {
        RowsLoaded = loaded.RowsLoaded,
        RowsInserted = loaded.RowsInserted,
        RowsUpdated = loaded.RowsUpdated,
        RowsDeleted = loaded.RowsDeleted,
        RowsUnchanged = loaded.RowsUnchanged,
        RowsQuarantined = loaded.RowsQuarantined,
        RowsDiscarded = loaded.RowsDiscarded,
        Notes = [.. extracted.Notes.Union(loaded.Notes)],
        Checks = loaded.Checks,
        Times = extracted.Times with { Stage = loaded.Times.Stage, Load = loaded.Times.Load },
    };

    /// <summary>Adds one chunk's check results to the run's (a check's counts add up across chunks).</summary>
    public static ImmutableArray<CheckResult> Merge(ImmutableArray<CheckResult> run, IEnumerable<CheckResult> chunk)
    {
        var merged = run.ToList();
        foreach (var result in chunk)
        {
            var index = merged.FindIndex(r => r.Name == result.Name && r.Table == result.Table);
            if (index < 0)
            {
                merged.Add(result);
            }
            else
            {
                merged[index] = merged[index].Add(result);
            }
        }

        return [.. merged];
    }
}
