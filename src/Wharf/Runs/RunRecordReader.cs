using System.Collections;
using System.Data.Common;

namespace Wharf.Runs;

/// <summary>Reads <c>_wharf.runs</c> rows back, whichever warehouse holds them.</summary>
internal static class RunRecordReader
{
    /// <summary>The columns, in the order <see cref="Read"/> expects.</summary>
    public const string Columns =
        "run_id, pipeline, stream, source, target, mode, started_at, finished_at, rows_extracted, rows_loaded, status, error, lake_files";

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
    };
}
