using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.Server.Scheduling;

/// <summary>
/// Fires the project's schedules: cron, fixed intervals and file arrival. It wakes at least once
/// a second, so a reloaded wharf.yml takes effect within a second and a late wake-up shows as lag.
/// </summary>
internal sealed class Scheduler(ProjectState state, RunCoordinator runs, ServerMetrics metrics, TimeProvider time, ILogger<Scheduler> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> next = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> triggers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileFingerprint?> seen = new(StringComparer.Ordinal);
    private int version;

    /// <summary>When each schedule fires next (file triggers: when the folder is looked at next).</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> NextRuns => next;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (state.Version != version)
            {
                var first = version == 0;
                version = state.Version;
                await PlanAsync(state.Project, first, stoppingToken);
            }

            var now = time.GetUtcNow();
            foreach (var schedule in state.Project.Schedules)
            {
                if (next.TryGetValue(schedule.Name, out var due) && due <= now)
                {
                    Fire(schedule, due, now);
                    next[schedule.Name] = Next(schedule, now) ?? DateTimeOffset.MaxValue;
                }
            }

            var wait = next.Values.DefaultIfEmpty(now + Tick).Min() - time.GetUtcNow();
            await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > Tick ? Tick : wait, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Fire(ScheduleSettings schedule, DateTimeOffset due, DateTimeOffset now)
    {
        if (schedule.OnNewFiles is { } files)
        {
            var fingerprint = FileFingerprint.Of(state.Project.Connection(files.Connection).Path, files.Files);
            var before = seen.GetValueOrDefault(schedule.Name);
            seen[schedule.Name] = fingerprint;
            if (fingerprint is null || fingerprint == before)
            {
                return;
            }
        }

        metrics.SchedulerLag(now - due);
        ServerLog.ScheduleFired(logger, schedule.Name, schedule.Trigger, (now - due).TotalSeconds);
        runs.Trigger(schedule.Pipelines, $"schedule {schedule.Name}", schedule);
    }

    /// <summary>The next time of every schedule; at start, a schedule that missed a time while the server was down is due now (<c>catch_up: latest</c>).</summary>
    private async Task PlanAsync(Project project, bool first, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var name in next.Keys.Where(n => project.Schedules.All(s => s.Name != n)).ToList())
        {
            next.TryRemove(name, out _);
            triggers.Remove(name);
        }

        foreach (var schedule in project.Schedules)
        {
            // A reload keeps the times of schedules whose trigger did not change.
            if (triggers.TryGetValue(schedule.Name, out var trigger) && trigger == schedule.Trigger)
            {
                continue;
            }

            triggers[schedule.Name] = schedule.Trigger;
            var due = Next(schedule, now) ?? DateTimeOffset.MaxValue;
            if (first && schedule.OnNewFiles is null && schedule.CatchUp == CatchUp.Latest
                && await LastStartAsync(project, schedule.Pipelines[0], cancellationToken) is { } last
                && Next(schedule, last) is { } missed && missed < now)
            {
                due = now;
            }

            if (first && schedule.OnNewFiles is { } files)
            {
                // Files already there when the server starts count as seen, unless they changed after the pipeline's last run.
                var fingerprint = FileFingerprint.Of(project.Connection(files.Connection).Path, files.Files);
                var lastRun = await LastStartAsync(project, schedule.Pipelines[0], cancellationToken);
                seen[schedule.Name] = fingerprint is not null && lastRun is { } l && fingerprint.Newest > l ? null : fingerprint;
                due = now;
            }

            next[schedule.Name] = due;
            ServerLog.NextRun(logger, schedule.Name, due);
        }
    }

    private static DateTimeOffset? Next(ScheduleSettings schedule, DateTimeOffset after)
    {
        if (schedule.Cron is { } cron)
        {
            var format = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? Cronos.CronFormat.IncludeSeconds : Cronos.CronFormat.Standard;
            return Cronos.CronExpression.Parse(cron, format).GetNextOccurrence(after, schedule.TimeZone);
        }

        return schedule.Every is { } every ? after + every
            : schedule.OnNewFiles is { } files ? after + files.PollEvery
            : null;
    }

    private async Task<DateTimeOffset?> LastStartAsync(Project project, string pipeline, CancellationToken cancellationToken)
    {
        try
        {
            using var warehouse = await WarehouseOpener.OpenExistingAsync(project.Warehouse, time, cancellationToken);
            var last = await warehouse.ListRunsAsync(1, pipeline, cancellationToken);
            return last.Count == 0 ? null : last[0].StartedAt;
        }
        catch (WharfException)
        {
            // No warehouse yet, or unreachable: nothing ran, so nothing was missed.
            return null;
        }
    }
}
