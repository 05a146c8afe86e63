using System.Collections;
using System.Data.Common;

namespace Wharf.Runs;

/// <summary>Reads <c>_wharf.runs</c> rows back, whichever warehouse holds them.</summary>
internal static class RunRecordReader
{
    /// <summary>The columns, in the order <see cref="Read"/> expects (and the audit tables are written in).</summary>
    public const string Columns =
        "run_id, pipeline, stream, source, target, mode, started_at, finished_at, rows_extracted, rows_loaded, status, error, lake_files, " +
        "rows_inserted, rows_updated, rows_deleted, rows_unchanged, watermark_before, watermark_after, rows_quarantined, rows_discarded, notes, kind, " +
        "extract_ms, land_ms, stage_ms, load_ms, commit_ms, peak_memory_bytes, bytes_read, bytes_written, started_by, host, wharf_version";

    /// <summary>What an interrupted run's audit row says.</summary>
    public const string InterruptedError =
        "The run stopped before it finished (process killed, crash or power loss). Its committed chunks are kept; the next run resumed after them.";

    /// <summary>A record's values in <see cref="Columns"/> order; lake files as a list.</summary>
    public static object?[] Values(RunRecord record) =>
    [
        record.RunId, record.Pipeline, record.Stream, record.Source, record.Target, record.Mode,
        record.StartedAt, record.FinishedAt, record.RowsExtracted, record.RowsLoaded,
        record.Status.ToString().ToLowerInvariant(), record.Error, record.LakeFiles.ToArray(),
        record.RowsInserted, record.RowsUpdated, record.RowsDeleted, record.RowsUnchanged, record.WatermarkBefore, record.WatermarkAfter,
        record.RowsQuarantined, record.RowsDiscarded, record.Notes.IsEmpty ? null : string.Join('\n', record.Notes), record.Kind,
        Milliseconds(record.Times.Extract), Milliseconds(record.Times.Land), Milliseconds(record.Times.Stage), Milliseconds(record.Times.Load), Milliseconds(record.Times.Commit),
        record.PeakMemoryBytes, record.BytesRead, record.BytesWritten, record.StartedBy, record.Host, record.WharfVersion,
    ];

    private static long Milliseconds(TimeSpan time) => (long)time.TotalMilliseconds;

    private static TimeSpan Time(DbDataReader reader, int column) => reader.IsDBNull(column) ? TimeSpan.Zero : TimeSpan.FromMilliseconds(reader.GetInt64(column));

    private static long Long(DbDataReader reader, int column) => reader.IsDBNull(column) ? 0 : reader.GetInt64(column);

    private static string? Text(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    public static RunRecord Read(DbDataReader reader) => new()
    {
        RunId = reader.GetString(0),
        Pipeline = reader.GetString(1),
        Stream = reader.GetString(2),
        Source = reader.GetString(3),
        Target = reader.GetString(4),
        Mode = reader.GetString(5),
        StartedAt = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc)),
        FinishedAt = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc)),
        RowsExtracted = reader.GetInt64(8),
        RowsLoaded = reader.GetInt64(9),
        Status = Enum.Parse<RunStatus>(reader.GetString(10), ignoreCase: true),
        Error = reader.IsDBNull(11) ? null : reader.GetString(11),
        LakeFiles = [.. ((IEnumerable)reader.GetValue(12)).Cast<object?>().Select(f => (string)f!)],
        RowsInserted = reader.GetInt64(13),
        RowsUpdated = reader.GetInt64(14),
        RowsDeleted = reader.GetInt64(15),
        RowsUnchanged = reader.GetInt64(16),
        WatermarkBefore = reader.IsDBNull(17) ? null : reader.GetString(17),
        WatermarkAfter = reader.IsDBNull(18) ? null : reader.GetString(18),
        RowsQuarantined = reader.IsDBNull(19) ? 0 : reader.GetInt64(19),
        RowsDiscarded = reader.IsDBNull(20) ? 0 : reader.GetInt64(20),
        Notes = reader.IsDBNull(21) ? [] : [.. reader.GetString(21).Split('\n')],
        Kind = reader.IsDBNull(22) ? RunRecord.LoadKind : reader.GetString(22),

        // Rows written before these columns existed have NULLs there.
        Times = new RunStageTimes { Extract = Time(reader, 23), Land = Time(reader, 24), Stage = Time(reader, 25), Load = Time(reader, 26), Commit = Time(reader, 27) },
        PeakMemoryBytes = Long(reader, 28),
        BytesRead = Long(reader, 29),
        BytesWritten = Long(reader, 30),
        StartedBy = Text(reader, 31),
        Host = Text(reader, 32),
        WharfVersion = Text(reader, 33),
    };
}
