using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.Server.Api;

/// <summary>One pipeline as the overview and <c>GET /api/pipelines</c> show it: last run, next run, freshness.</summary>
internal sealed record PipelineStatus(
    string Name,
    string Source,
    bool Running,
    RunRecord? LastRun,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? NextRun,
    TimeSpan? Freshness,
    TimeSpan? FreshnessSla)
{
    /// <summary>Whether the last success is older than the SLA (or there was none).</summary>
    public bool Stale => FreshnessSla is { } sla && (Freshness is null || Freshness > sla);

    /// <summary>Works out each pipeline's status from recent runs (newest first), the schedules and what is running.</summary>
    public static IReadOnlyList<PipelineStatus> Of(Project project, IReadOnlyList<RunRecord> recent, IReadOnlyDictionary<string, DateTimeOffset> next,
        IReadOnlyDictionary<string, string> running, DateTimeOffset now) =>
        [.. project.Pipelines.Select(p =>
        {
            var runs = recent.Where(r => r.Pipeline == p.Name && r.Kind == RunRecord.LoadKind).ToList();
            var lastSuccess = runs.Where(r => r.Status == RunStatus.Succeeded).Select(r => (DateTimeOffset?)r.FinishedAt).FirstOrDefault();
            var nextRun = project.Schedules.Where(s => s.Pipelines.Contains(p.Name) && next.ContainsKey(s.Name))
                .Select(s => (DateTimeOffset?)next[s.Name]).Where(t => t != DateTimeOffset.MaxValue).Min();
            return new PipelineStatus(p.Name, p.Source, running.ContainsKey(p.Name), runs.FirstOrDefault(), lastSuccess, nextRun,
                lastSuccess is { } s ? now - s : null, p.Freshness);
        })];

    public object ToJson() => new
    {
        name = Name,
        source = Source,
        running = Running,
        last_run = LastRun is null ? null : RunRecordJson.From(LastRun),
        last_success = LastSuccess,
        next_run = NextRun,
        freshness_seconds = Freshness?.TotalSeconds,
        freshness_sla_seconds = FreshnessSla?.TotalSeconds,
        stale = Stale,
    };
}
