using System.Globalization;
using Microsoft.Extensions.Logging;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Pipelines;

/// <summary>
/// <c>lake_retention:</c> after a pipeline's successful run, removes the extracts of each stream
/// that are outside every limit (older than <c>keep_days</c>, beyond the newest <c>keep_runs</c>
/// runs), but never one a replay of the current tables needs (<see cref="ReplayWindow"/>). A
/// manifest goes before its part, so the lake never shows a manifest without its file.
/// </summary>
internal sealed partial class LakeRetentionSweep(ILakeStore store, IWarehouse warehouse, TimeProvider time, ILogger logger)
{
    /// <summary>What was removed: files (parts and manifests) and their bytes.</summary>
    public sealed record Removed(IReadOnlyList<string> Files, long Bytes);

    public async Task<Removed> SweepAsync(string runId, PipelineSettings pipeline, LakeRetention retention, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(retention);
        var audit = await warehouse.ListRunsAsync(int.MaxValue, pipeline.Name, cancellationToken);
        if (!ReplayWindow.Committed(audit).Any())
        {
            // Without an audit a replay reads every file in the lake: all are needed.
            return new Removed([], 0);
        }

        var needed = ReplayWindow.Needed(audit);
        var files = new List<LakeObject>();
        await foreach (var file in store.ListAsync(pipeline.Name, cancellationToken))
        {
            files.Add(file);
        }

        var cutoff = retention.KeepDays is { } days ? time.GetUtcNow().AddDays(-days) : (DateTimeOffset?)null;
        var doomed = new List<LakeObject>();
        foreach (var stream in files.Where(f => f.RunId is not null).GroupBy(f => f.Stream, StringComparer.Ordinal))
        {
            var runs = stream.Select(f => f.RunId!).Distinct(StringComparer.Ordinal).OrderDescending(StringComparer.Ordinal).ToList();
            var kept = runs.Where((run, newest) => (retention.KeepRuns is { } count && newest < count) || (cutoff is { } c && RunId.StartedAt(run) >= c))
                .ToHashSet(StringComparer.Ordinal);
            doomed.AddRange(stream.Where(f => !kept.Contains(f.RunId!) && !needed.Contains(f.Base)));
        }

        // Manifests first: a part whose manifest is gone is ignored; a manifest whose part is gone would be read.
        foreach (var file in doomed.OrderBy(f => f.IsManifest ? 0 : 1).ThenBy(f => f.Path, StringComparer.Ordinal))
        {
            await store.DeleteAsync(file.Path, cancellationToken);
            Log.RemovedFile(logger, runId, store.Describe().TrimEnd('/', Path.DirectorySeparatorChar) + "/" + file.Path, file.Bytes);
        }

        var removed = new Removed([.. doomed.Select(f => f.Path).Order(StringComparer.Ordinal)], doomed.Sum(f => f.Bytes));
        Log.Removed(logger, runId, pipeline.Name, doomed.Count(f => !f.IsManifest), doomed.Count(f => f.IsManifest),
            removed.Bytes.ToString("N0", CultureInfo.InvariantCulture), doomed.Select(f => f.RunId).Distinct().Count(), retention.ToString());
        return removed;
    }

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Information, "Run {RunId}: {Pipeline}: lake retention ({Retention}) removed {Files} lake file(s) and {Manifests} manifest(s), {Bytes} bytes, of {Runs} run(s)")]
        public static partial void Removed(ILogger logger, string runId, string pipeline, int files, int manifests, string bytes, int runs, string retention);

        [LoggerMessage(1402, LogLevel.Information, "Run {RunId}: lake retention removed {File} ({Bytes} bytes)")]
        public static partial void RemovedFile(ILogger logger, string runId, string file, long bytes);
    }
}
