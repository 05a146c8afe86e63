namespace Wharf.Server.Scheduling;

/// <summary>What became of a request to run pipelines.</summary>
/// <param name="Outcome">Started, skipped (a pipeline of it is running) or refused (the server is shutting down).</param>
/// <param name="TriggerId">The id of the started run (its log lines carry it); null when not started.</param>
/// <param name="Reason">Why it was not started, in words.</param>
internal sealed record TriggerResult(TriggerOutcome Outcome, string? TriggerId, string? Reason = null);

internal enum TriggerOutcome
{
    Started,
    Skipped,
    Refused,
}

/// <summary>A trigger that fired while its pipeline was still running.</summary>
internal sealed record SkippedTrigger(DateTimeOffset At, string Pipelines, string Reason, string RunningPipeline);
