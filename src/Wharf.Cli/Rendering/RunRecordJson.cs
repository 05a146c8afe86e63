using Wharf.Runs;

namespace Wharf.Cli.Rendering;

/// <summary>The JSON shape of one audit row, shared by <c>run --format json</c> and <c>runs --format json</c>.</summary>
internal static class RunRecordJson
{
    public static object From(RunRecord r) => new
    {
        run_id = r.RunId,
        pipeline = r.Pipeline,
        stream = r.Stream,
        source = r.Source,
        target = r.Target,
        mode = r.Mode,
        status = r.Status.ToString().ToLowerInvariant(),
        started_at = r.StartedAt,
        finished_at = r.FinishedAt,
        duration_seconds = r.Duration.TotalSeconds,
        rows_extracted = r.RowsExtracted,
        rows_loaded = r.RowsLoaded,
        error = r.Error,
        lake_files = r.LakeFiles,
    };
}
