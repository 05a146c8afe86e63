using Wharf.Runs;

namespace Wharf.Server.Api;

/// <summary>The JSON shape of one audit row (here, beside the API that promises it, so the CLI and the server cannot drift), shared by <c>run --format json</c>, <c>runs --format json</c> and <c>wharf serve</c>'s API.</summary>
internal static class RunRecordJson
{
    public static object From(RunRecord r) => new
    {
        run_id = r.RunId,
        pipeline = r.Pipeline,
        kind = r.Kind,
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
        rows_inserted = r.RowsInserted,
        rows_updated = r.RowsUpdated,
        rows_deleted = r.RowsDeleted,
        rows_unchanged = r.RowsUnchanged,
        watermark_before = r.WatermarkBefore,
        watermark_after = r.WatermarkAfter,
        rows_quarantined = r.RowsQuarantined,
        rows_discarded = r.RowsDiscarded,
        notes = r.Notes,
        checks = r.Checks.Select(c => new
        {
            table = c.Table,
            name = c.Name,
            kind = c.KindName,
            severity = c.Severity.ToString().ToLowerInvariant(),
            status = c.Status.ToString().ToLowerInvariant(),
            failing_rows = c.FailingRows,
            checked_rows = c.CheckedRows,
            message = c.Message,
            sample = c.Sample,
        }),
        error = r.Error,
        lake_files = r.LakeFiles,
        stages = new
        {
            extract_seconds = r.Times.Extract.TotalSeconds,
            land_seconds = r.Times.Land.TotalSeconds,
            stage_seconds = r.Times.Stage.TotalSeconds,
            load_seconds = r.Times.Load.TotalSeconds,
            commit_seconds = r.Times.Commit.TotalSeconds,
        },
        peak_memory_bytes = r.PeakMemoryBytes,
        bytes_read = r.BytesRead,
        bytes_written = r.BytesWritten,
        started_by = r.StartedBy,
        host = r.Host,
        wharf_version = r.WharfVersion,
    };
}
