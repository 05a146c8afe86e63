using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wharf.Models;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Server.Alerts;
using Wharf.Warehouses;

namespace Wharf.Server.Scheduling;

/// <summary>
/// Starts runs for the scheduler and the API, never two of one pipeline at once, and on shutdown
/// lets them finish within the grace period before cancelling them. Cancelling is safe: a run
/// commits its data, state and audit row in one transaction, so a cancelled one leaves the
/// warehouse as it was.
/// </summary>
internal sealed class RunCoordinator(ProjectState state, ServeOptions options, ServerMetrics metrics, Alerter alerter, TimeProvider time, ILogger<RunCoordinator> logger) : IHostedService, IDisposable
{
    private const int SkippedKept = 200;
    private readonly ConcurrentDictionary<string, string> running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SkippedTrigger> skipped = new();
    private readonly CancellationTokenSource cancel = new();
    private readonly ConcurrentDictionary<string, bool> lastSucceeded = new(StringComparer.Ordinal);
    private volatile bool accepting = true;

    /// <summary>The pipelines running now, each with the id of the run it belongs to.</summary>
    public IReadOnlyDictionary<string, string> Running => running;

    /// <summary>The most recent triggers that were skipped, oldest first.</summary>
    public IReadOnlyCollection<SkippedTrigger> Skipped => skipped;

    /// <summary>Starts <paramref name="pipelines"/> (then the schedule's builds) in the background, unless one of them is running.</summary>
    public TriggerResult Trigger(IReadOnlyList<string> pipelines, string reason, ScheduleSettings? schedule = null)
    {
        var names = string.Join(", ", pipelines);
        if (!accepting)
        {
            return new TriggerResult(TriggerOutcome.Refused, null, "the server is shutting down");
        }

        var id = RunId.New(time.GetUtcNow());
        var taken = new List<string>();
        foreach (var pipeline in pipelines)
        {
            if (!running.TryAdd(pipeline, id))
            {
                foreach (var name in taken)
                {
                    running.TryRemove(name, out _);
                }

                Skip(names, reason, pipeline);
                return new TriggerResult(TriggerOutcome.Skipped, null, $"pipeline '{pipeline}' is still running");
            }

            taken.Add(pipeline);
        }

        ServerLog.RunStarted(logger, id, names, reason);
        tasks[id] = Task.Run(() => ExecuteAsync(id, pipelines, schedule, cancel.Token));
        return new TriggerResult(TriggerOutcome.Started, id);
    }

    private void Skip(string names, string reason, string pipeline)
    {
        ServerLog.TriggerSkipped(logger, names, reason, pipeline);
        metrics.TriggerSkipped(names);
        skipped.Enqueue(new SkippedTrigger(time.GetUtcNow(), names, reason, pipeline));
        while (skipped.Count > SkippedKept && skipped.TryDequeue(out _))
        {
        }
    }

    private async Task ExecuteAsync(string id, IReadOnlyList<string> pipelines, ScheduleSettings? schedule, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", pipelines);
        try
        {
            var project = state.Project;
            var attempts = 1 + (schedule?.Retries ?? 0);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var summary = await RunOnceAsync(project, pipelines, cancellationToken);
                    metrics.RunFinished(summary);
                    Alert(summary);
                    _ = JudgeDeviationAsync(project, summary);
                    ServerLog.RunFinished(logger, id, names, summary.Succeeded ? "succeeded" : "failed", summary.Streams.Sum(s => s.RowsLoaded), summary.Duration.TotalSeconds);
                    if (summary.Succeeded && schedule is { ThenBuild.IsEmpty: false })
                    {
                        await BuildAsync(id, project, schedule, cancellationToken);
                    }

                    return;
                }
                catch (WharfException ex) when (ex.IsTransient && attempt < attempts && !cancellationToken.IsCancellationRequested)
                {
                    ServerLog.RunRetrying(logger, id, names, attempt + 1, attempts, schedule!.RetryDelay, ex.Message);
                    await Task.Delay(schedule.RetryDelay, time, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ServerLog.RunFailed(logger, id, names, "cancelled at shutdown; its transaction was rolled back, so the warehouse is as it was before the run");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            metrics.RunCrashed(pipelines);
            ServerLog.RunFailed(logger, id, names, ex.Message);
            foreach (var pipeline in pipelines)
            {
                lastSucceeded[pipeline] = false;
                Publish(new AlertEvent("run_failed", pipeline, $"Pipeline {pipeline} failed", ex.Message, id, "error", time.GetUtcNow()));
            }
        }
        finally
        {
            foreach (var pipeline in pipelines)
            {
                running.TryRemove(pipeline, out _);
            }

            tasks.TryRemove(id, out _);
        }
    }

    /// <summary>Run failed, run recovered (the first success after a failure) and failed checks, per pipeline.</summary>
    private void Alert(RunSummary summary)
    {
        foreach (var pipeline in summary.Streams.GroupBy(s => s.Pipeline))
        {
            var runId = pipeline.First().RunId;
            var failed = pipeline.Where(s => s.Status != RunStatus.Succeeded).ToList();
            var before = lastSucceeded.TryGetValue(pipeline.Key, out var was) ? was : (bool?)null;
            lastSucceeded[pipeline.Key] = failed.Count == 0;
            if (failed.Count > 0)
            {
                Publish(new AlertEvent("run_failed", pipeline.Key, $"Pipeline {pipeline.Key} failed ({failed.Count} of {pipeline.Count()} stream(s))",
                    string.Join("\n", failed.Select(s => $"{s.Target}: {s.Error}")), runId, "error", time.GetUtcNow()));
            }
            else if (before == false)
            {
                Publish(new AlertEvent("run_recovered", pipeline.Key, $"Pipeline {pipeline.Key} succeeded again", null, runId, "info", time.GetUtcNow()));
            }

            var checks = pipeline.SelectMany(s => s.Checks).Where(c => c.Status != Quality.CheckStatus.Passed).ToList();
            if (checks.Count > 0)
            {
                var severity = checks.Any(c => c.Severity == CheckSeverity.Error) ? "error" : "warn";
                Publish(new AlertEvent("check_failed", pipeline.Key, $"{checks.Count} check(s) of {pipeline.Key} failed",
                    string.Join("\n", checks.Select(c => $"{c.Table} {c.Name} ({c.Severity.ToString().ToLowerInvariant()}): {c.FailingRows} of {c.CheckedRows} row(s). {c.Message}")), runId, severity, time.GetUtcNow()));
            }
        }
    }

    /// <summary>
    /// <c>deviation:</c> after a successful run, in the background: the pipeline's recent runs come
    /// from the audit, which the run has just released.
    /// </summary>
    private async Task JudgeDeviationAsync(Project project, RunSummary summary)
    {
        foreach (var finished in summary.Streams.GroupBy(s => s.Pipeline).Where(g => g.All(s => s.Status == RunStatus.Succeeded)))
        {
            if (project.Pipelines.FirstOrDefault(p => p.Name == finished.Key) is not { Deviation: { } limits } pipeline)
            {
                continue;
            }

            try
            {
                using var warehouse = await WarehouseOpener.OpenExistingAsync(project.Warehouse, time, CancellationToken.None);
                var history = await warehouse.ListRunsAsync((limits.Runs + 1) * finished.Count(), pipeline.Name, CancellationToken.None);
                if (DeviationJudge.Judge(pipeline, limits, history, finished.First().RunId, time.GetUtcNow()) is { } alert)
                {
                    ServerLog.Deviation(logger, alert.RunId!, pipeline.Name, alert.Details!);
                    await alerter.PublishAsync(alert, CancellationToken.None);
                }
            }
            catch (WharfException ex)
            {
                // The next run judges again; this one's numbers stay in the audit.
                ServerLog.DeviationNotJudged(logger, pipeline.Name, ex.Message);
            }
        }
    }

    /// <summary>In the background: a slow webhook must not hold the pipeline's slot.</summary>
    private void Publish(AlertEvent alert) => _ = alerter.PublishAsync(alert, CancellationToken.None);

    private async Task<RunSummary> RunOnceAsync(Project project, IReadOnlyList<string> pipelines, CancellationToken cancellationToken)
    {
        using var warehouse = await WarehouseOpener.OpenAsync(project.Warehouse, time, TimeSpan.FromSeconds(30), cancellationToken);
        var runner = new Runner(project, warehouse, time, logger);
        return await runner.RunAsync(pipelines, null, cancellationToken);
    }

    private async Task BuildAsync(string id, Project project, ScheduleSettings schedule, CancellationToken cancellationToken)
    {
        var models = await ModelProjectReader.ReadAsync(project, cancellationToken);
        using var warehouse = await WarehouseOpener.OpenAsync(project.Warehouse, time, TimeSpan.FromSeconds(30), cancellationToken);
        var builder = new ModelBuilder(project, models, warehouse, time, logger);
        var summary = await builder.BuildAsync(schedule.ThenBuild, null, cancellationToken);
        ServerLog.BuildFinished(logger, id, string.Join(" ", schedule.ThenBuild), summary.Succeeded ? "succeeded" : "failed");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>No new runs; running ones get the grace period, then are cancelled and awaited (their rollback is quick).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        accepting = false;
        var pending = tasks.Values.ToArray();
        ServerLog.ShuttingDown(logger, options.Grace, pending.Length);
        var all = Task.WhenAll(pending);
        if (await Task.WhenAny(all, Task.Delay(options.Grace, time, CancellationToken.None)) != all)
        {
            ServerLog.CancellingRuns(logger, tasks.Count);
            await cancel.CancelAsync();
            await all;
        }
    }

    public void Dispose() => cancel.Dispose();
}
