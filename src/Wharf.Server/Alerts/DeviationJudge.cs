using System.Globalization;
using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.Server.Alerts;

/// <summary>
/// Compares a finished run with the pipeline's recent successful runs (<c>deviation:</c>): the rows
/// it loaded and how long it took, each against the median of the last runs, so that one odd run
/// in the history does not move the normal. A run is all the audit rows (streams) of one run id.
/// </summary>
internal static class DeviationJudge
{
    /// <summary>The alert for <paramref name="runId"/>, or null when it is within its limits or there is too little history.</summary>
    /// <param name="records">The pipeline's audit rows, the run's own among them, in any order.</param>
    public static AlertEvent? Judge(PipelineSettings pipeline, DeviationSettings limits, IReadOnlyList<RunRecord> records, string runId, DateTimeOffset now)
    {
        var runs = records.Where(r => r.Pipeline == pipeline.Name).GroupBy(r => r.RunId)
            .Select(g => new Run(g.Key, g.Min(r => r.StartedAt), g.Max(r => r.FinishedAt), g.Sum(r => r.RowsLoaded), g.All(r => r.Status == RunStatus.Succeeded)))
            .ToList();
        if (runs.Find(r => r.Id == runId) is not { } run)
        {
            return null;
        }

        var history = runs.Where(r => r.Succeeded && r.Started < run.Started).OrderByDescending(r => r.Started).Take(limits.Runs).ToList();
        if (history.Count < limits.MinRuns)
        {
            return null;
        }

        var found = new List<(string Short, string Long)>();
        if (limits.Rows is { } rows)
        {
            var median = Median(history.Select(r => (double)r.Rows));
            if (Strays(run.Rows, median, rows) is { } change)
            {
                found.Add((Invariant($"loaded {run.Rows:N0} rows"),
                    Invariant($"It loaded {run.Rows:N0} rows, {change} the median of its last {history.Count} successful runs ({median:N0}; limit ±{rows * 100:0.#}%).")));
            }
        }

        if (limits.Duration is { } duration)
        {
            var median = Median(history.Select(r => r.Seconds));
            if (Strays(run.Seconds, median, duration) is { } change)
            {
                found.Add((Invariant($"took {run.Seconds:N1} s"),
                    Invariant($"It took {run.Seconds:N1} s, {change} the median of its last {history.Count} successful runs ({median:N1} s; limit ±{duration * 100:0.#}%).")));
            }
        }

        return found.Count == 0 ? null : new AlertEvent("deviation", pipeline.Name,
            $"Pipeline {pipeline.Name} {string.Join(" and ", found.Select(f => f.Short))}, unlike its recent runs",
            string.Join("\n", found.Select(f => f.Long)), runId, "warn", now);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>How the value compares with the median ("80% below"), or null when within the limit.</summary>
    private static string? Strays(double value, double median, double limit)
    {
        if (median == 0)
        {
            return value == 0 ? null : "above";
        }

        var change = (value - median) / median;
        return Math.Abs(change) <= limit ? null
            : Invariant($"{Math.Abs(change) * 100:0}% {(change < 0 ? "below" : "above")}");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record Run(string Id, DateTimeOffset Started, DateTimeOffset Finished, long Rows, bool Succeeded)
    {
        public double Seconds => (Finished - Started).TotalSeconds;
    }
}
