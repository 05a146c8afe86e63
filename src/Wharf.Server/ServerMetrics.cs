using Prometheus;
using Wharf.Runs;

namespace Wharf.Server;

/// <summary>
/// The Prometheus series of <c>/metrics</c>. Labels are pipeline, status and table names only:
/// never a connection string, URL or error text, which could hold a secret or grow without bound.
/// </summary>
internal sealed class ServerMetrics
{
    private readonly Counter runs;
    private readonly Counter rows;
    private readonly Histogram duration;
    private readonly Gauge lastSuccess;
    private readonly Counter skipped;
    private readonly Histogram lag;

    public ServerMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        runs = factory.CreateCounter("wharf_runs_total", "Pipeline stream runs by pipeline and final status.", "pipeline", "status");
        rows = factory.CreateCounter("wharf_rows_loaded_total", "Rows loaded into the warehouse by table.", "pipeline", "table");
        duration = factory.CreateHistogram("wharf_run_duration_seconds", "How long pipeline runs took.", new HistogramConfiguration
        {
            LabelNames = ["pipeline"],
            // From a one-second file load to an hour-long whole-database sync.
            Buckets = Histogram.ExponentialBuckets(0.5, 2, 14),
        });
        lastSuccess = factory.CreateGauge("wharf_last_success_timestamp_seconds", "When each pipeline last finished a run successfully (Unix seconds).", "pipeline");
        skipped = factory.CreateCounter("wharf_skipped_triggers_total", "Triggers skipped because their pipeline was still running.", "pipelines");
        lag = factory.CreateHistogram("wharf_scheduler_lag_seconds", "How late a schedule fired after its due time.", new HistogramConfiguration
        {
            Buckets = [0.01, 0.1, 0.5, 1, 2, 5, 30, 60],
        });
        Freshness = factory.CreateGauge("wharf_freshness_seconds", "Seconds since each pipeline's last successful run.", "pipeline");
        FreshnessSla = factory.CreateGauge("wharf_freshness_sla_seconds", "The freshness each pipeline promises (freshness: in wharf.yml).", "pipeline");
    }

    /// <summary>Set on every scrape from the audit trail (see <see cref="WharfServer"/>).</summary>
    public Gauge Freshness { get; }

    public Gauge FreshnessSla { get; }

    public Gauge LastSuccess => lastSuccess;

    public void RunFinished(RunSummary summary)
    {
        foreach (var stream in summary.Streams)
        {
            runs.WithLabels(stream.Pipeline, stream.Status.ToString().ToLowerInvariant()).Inc();
            rows.WithLabels(stream.Pipeline, stream.Target).Inc(stream.RowsLoaded);
        }

        foreach (var pipeline in summary.Streams.GroupBy(s => s.Pipeline))
        {
            duration.WithLabels(pipeline.Key).Observe((pipeline.Max(s => s.FinishedAt) - pipeline.Min(s => s.StartedAt)).TotalSeconds);
            if (pipeline.All(s => s.Status == RunStatus.Succeeded))
            {
                lastSuccess.WithLabels(pipeline.Key).Set(pipeline.Max(s => s.FinishedAt).ToUnixTimeMilliseconds() / 1000.0);
            }
        }
    }

    /// <summary>A run that threw before it could record anything (the warehouse unreachable, a bug).</summary>
    public void RunCrashed(IEnumerable<string> pipelines)
    {
        foreach (var pipeline in pipelines)
        {
            runs.WithLabels(pipeline, "error").Inc();
        }
    }

    public void TriggerSkipped(string pipelines) => skipped.WithLabels(pipelines).Inc();

    public void SchedulerLag(TimeSpan late) => lag.Observe(Math.Max(0, late.TotalSeconds));
}
