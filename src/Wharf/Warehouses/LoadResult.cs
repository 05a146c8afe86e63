using Wharf.Runs;

namespace Wharf.Warehouses;

/// <summary>The audit record of a load, adding this load's counts to what earlier chunks of the run did.</summary>
internal static class LoadResult
{
    public static RunRecord Complete(LoadRequest request, TableWrite.Counts counts, DateTimeOffset finishedAt)
    {
        var before = request.Record;
        var written = counts.Inserted + counts.Updated;
        return before with
        {
            RowsLoaded = before.RowsLoaded + written,
            RowsInserted = before.RowsInserted + counts.Inserted,
            RowsUpdated = before.RowsUpdated + counts.Updated,
            RowsDeleted = before.RowsDeleted + counts.Deleted,
            RowsUnchanged = before.RowsUnchanged + Math.Max(0, request.Files.Sum(f => f.Rows) - written),
            Status = request.Final ? RunStatus.Succeeded : RunStatus.Running,
            FinishedAt = finishedAt,
        };
    }
}
