using Microsoft.Extensions.Logging;

using Wharf.Runs;

namespace Wharf.Pipelines;

/// <summary>Every log message of a run, with stable event ids.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1001, LogLevel.Information, "Run {RunId}: {Pipeline}/{Stream} reading {Description}")]
    public static partial void StreamStarting(ILogger logger, string runId, string pipeline, string stream, string description);

    [LoggerMessage(1002, LogLevel.Information, "Run {RunId}: {Stream} loaded {Rows} rows into {Target}")]
    public static partial void StreamLoaded(ILogger logger, string runId, string stream, long rows, string target);

    public const int StreamFailedId = 1003;

    [LoggerMessage(StreamFailedId, LogLevel.Error, "Run {RunId}: {Stream} failed: {Reason}")]
    public static partial void StreamFailed(ILogger logger, Exception exception, string runId, string stream, string reason);

    [LoggerMessage(1005, LogLevel.Information, "Run {RunId}: {Pipeline}: {Note}")]
    public static partial void PipelineNote(ILogger logger, string runId, string pipeline, string note);

    [LoggerMessage(1007, LogLevel.Warning, "Run {RunId}: {Pipeline}: {Warning}")]
    public static partial void PipelineWarning(ILogger logger, string runId, string pipeline, string warning);

    [LoggerMessage(1004, LogLevel.Warning, "Run {RunId}: the failure could not be written to the audit table: {Reason}")]
    public static partial void AuditFailed(ILogger logger, Exception exception, string runId, string reason);

    [LoggerMessage(1008, LogLevel.Warning, "Run {RunId}: {Pipeline}/{Stream}: {Reason} Reading it again from the start in {Seconds}s (attempt {Attempt} of {Attempts}).")]
    public static partial void SourceRetry(ILogger logger, string runId, string pipeline, string stream, string reason, double seconds, int attempt, int attempts);

    [LoggerMessage(1010, LogLevel.Information, "Run {RunId}: {Pipeline}/{Stream}: building the new table while the source was read stopped: {Reason} It is loaded from the lake after the extract instead.")]
    public static partial void HeadStartStopped(ILogger logger, Exception? exception, string runId, string pipeline, string stream, string reason);

    [LoggerMessage(1009, LogLevel.Warning, "Run {RunId}: {Pipeline}/{Stream}: {Reason} Resuming after the {Rows} rows committed so far in {Seconds}s (attempt {Attempt} of {Attempts}).")]
    public static partial void SourceResume(ILogger logger, string runId, string pipeline, string stream, string reason, long rows, double seconds, int attempt, int attempts);
}
