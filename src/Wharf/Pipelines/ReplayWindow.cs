using Wharf.Lake;
using Wharf.Runs;

namespace Wharf.Pipelines;

/// <summary>
/// Which runs a replay of the current tables reads, from the audit: per table, the committed runs
/// from its last full extract on. A full extract rebuilt the table: a <c>replace</c> run, or a
/// cursor stream's run that started with no watermark (its first, or a <c>--full-refresh</c>).
/// Other streams (append or merge without a cursor) have none after their first run, so every
/// committed run is read. Of delete detection's key files only the newest is needed. Lake
/// retention removes only what lies outside this window.
/// </summary>
internal static class ReplayWindow
{
    /// <summary>The audit's committed loads of lake files (a failed cursor run's committed chunks count), per table from its last full extract, oldest first.</summary>
    public static IEnumerable<RunRecord> Runs(IEnumerable<RunRecord> audit) =>
        Committed(audit)
            .GroupBy(r => r.Target, StringComparer.Ordinal)
            .SelectMany(table =>
            {
                var runs = table.OrderBy(r => r.RunId, StringComparer.Ordinal).ToList();
                return runs.Skip(Math.Max(0, runs.FindLastIndex(IsFullExtract)));
            })
            .OrderBy(r => r.RunId, StringComparer.Ordinal);

    /// <summary>The loads a replay could use at all: not replays, with lake files, and committed.</summary>
    public static IEnumerable<RunRecord> Committed(IEnumerable<RunRecord> audit) =>
        audit.Where(r => r.Kind == RunRecord.LoadKind && r.Mode != "replay" && !r.LakeFiles.IsEmpty && (r.Status != RunStatus.Failed || r.WatermarkAfter is not null));

    /// <summary>Whether the run rebuilt its table from a whole extract, so no earlier run matters to it.</summary>
    public static bool IsFullExtract(RunRecord run) =>
        run.Status == RunStatus.Succeeded && (run.Mode == "replace" || (run.WatermarkBefore is null && run.WatermarkAfter is not null));

    /// <summary>A delete-detection key file (in a stream folder named <c>&lt;stream&gt;.keys</c>).</summary>
    public static bool IsKeys(string file) => file.Split('/') is { Length: > 2 } parts && parts[1].EndsWith(".keys", StringComparison.Ordinal);

    /// <summary>The lake files (without extension, see <see cref="LakeObject.Base"/>) a replay of the current tables needs.</summary>
    public static HashSet<string> Needed(IEnumerable<RunRecord> audit)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in Runs(audit).GroupBy(r => r.Target, StringComparer.Ordinal))
        {
            var runs = table.ToList();
            needed.UnionWith(runs.SelectMany(r => r.LakeFiles).Where(f => !IsKeys(f)).Select(LakeObject.BaseOf));
            if (runs.LastOrDefault(r => r.LakeFiles.Any(IsKeys)) is { } newest)
            {
                needed.UnionWith(newest.LakeFiles.Where(IsKeys).Select(LakeObject.BaseOf));
            }
        }

        return needed;
    }
}
