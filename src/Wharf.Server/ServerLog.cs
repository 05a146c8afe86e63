using Microsoft.Extensions.Logging;

namespace Wharf.Server;

/// <summary>Every log message of <c>wharf serve</c>, with stable event ids (structured: the values are fields, not just text).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1401, LogLevel.Information, "Project {File} loaded: {Pipelines} pipeline(s), {Schedules} schedule(s)")]
    public static partial void ProjectLoaded(ILogger logger, string file, int pipelines, int schedules);

    [LoggerMessage(1402, LogLevel.Information, "Project {File} changed and was reloaded: {Schedules} schedule(s)")]
    public static partial void ProjectReloaded(ILogger logger, string file, int schedules);

    [LoggerMessage(1403, LogLevel.Error, "The changed project file was rejected; the last valid configuration keeps running. {Problem}")]
    public static partial void ProjectRejected(ILogger logger, string problem);

    [LoggerMessage(1404, LogLevel.Information, "Listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(1410, LogLevel.Information, "Run {TriggerId} of {Pipelines} started ({Reason})")]
    public static partial void RunStarted(ILogger logger, string triggerId, string pipelines, string reason);

    [LoggerMessage(1411, LogLevel.Information, "Run {TriggerId} of {Pipelines} finished: {Status}, {Rows} row(s) loaded in {Seconds:F1}s")]
    public static partial void RunFinished(ILogger logger, string triggerId, string pipelines, string status, long rows, double seconds);

    [LoggerMessage(1412, LogLevel.Warning, "Trigger of {Pipelines} ({Reason}) skipped: {Pipeline} is still running")]
    public static partial void TriggerSkipped(ILogger logger, string pipelines, string reason, string pipeline);

    [LoggerMessage(1413, LogLevel.Warning, "Run {TriggerId} of {Pipelines} failed with a transient error; attempt {Attempt} of {Attempts} in {Delay}. {Error}")]
    public static partial void RunRetrying(ILogger logger, string triggerId, string pipelines, int attempt, int attempts, TimeSpan delay, string error);

    [LoggerMessage(1414, LogLevel.Error, "Run {TriggerId} of {Pipelines} failed: {Error}")]
    public static partial void RunFailed(ILogger logger, string triggerId, string pipelines, string error);

    [LoggerMessage(1415, LogLevel.Information, "Build after run {TriggerId} ({Selectors}): {Status}")]
    public static partial void BuildFinished(ILogger logger, string triggerId, string selectors, string status);

    [LoggerMessage(1420, LogLevel.Information, "Shutting down: no new runs; waiting up to {Grace} for {Count} running run(s)")]
    public static partial void ShuttingDown(ILogger logger, TimeSpan grace, int count);

    [LoggerMessage(1421, LogLevel.Warning, "Grace period over: cancelling {Count} running run(s); their transactions roll back")]
    public static partial void CancellingRuns(ILogger logger, int count);

    [LoggerMessage(1430, LogLevel.Information, "Schedule {Schedule} fired ({Trigger}), {Lag:F3}s after its time")]
    public static partial void ScheduleFired(ILogger logger, string schedule, string trigger, double lag);

    [LoggerMessage(1431, LogLevel.Information, "Schedule {Schedule}: next run at {Next:o}")]
    public static partial void NextRun(ILogger logger, string schedule, DateTimeOffset next);

    [LoggerMessage(1440, LogLevel.Information, "Alert {Alert}: {Event} of {Pipeline} sent")]
    public static partial void AlertSent(ILogger logger, string alert, string @event, string pipeline);

    [LoggerMessage(1441, LogLevel.Warning, "Alert {Alert}: {Event} could not be sent: {Problem}")]
    public static partial void AlertFailed(ILogger logger, string alert, string @event, string problem);

    [LoggerMessage(1442, LogLevel.Information, "Alert {Alert}: {Event} of {Pipeline} held back (cooldown {Cooldown})")]
    public static partial void AlertHeldBack(ILogger logger, string alert, string @event, string pipeline, TimeSpan cooldown);

    [LoggerMessage(1443, LogLevel.Warning, "Run {RunId}: {Pipeline} deviates from its recent runs. {Details}")]
    public static partial void Deviation(ILogger logger, string runId, string pipeline, string details);

    [LoggerMessage(1444, LogLevel.Warning, "Pipeline {Pipeline}: its deviation could not be judged: {Reason}")]
    public static partial void DeviationNotJudged(ILogger logger, string pipeline, string reason);
}
