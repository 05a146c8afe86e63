using Wharf.Projects;
using Wharf.Runs;
using Wharf.Server.Alerts;

namespace Wharf.Tests.Server;

/// <summary><c>deviation:</c>: a run against the median of the pipeline's recent successful runs.</summary>
public sealed class DeviationJudgeTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PipelineSettings Orders = new() { Name = "orders", Source = "files", Table = "orders", Location = new SourceLocation("wharf.yml", 1, 1) };

    /// <summary>One stream per run, an hour apart: (rows, seconds, succeeded).</summary>
    private static List<RunRecord> History(params (long Rows, double Seconds, bool Ok)[] runs) =>
        [.. runs.Select((r, i) => Record(i, r.Rows, r.Seconds, r.Ok))];

    private static RunRecord Record(int index, long rows, double seconds, bool ok, string stream = "orders") => new()
    {
        RunId = RunId.New(Start.AddHours(index)),
        Pipeline = "orders",
        Stream = stream,
        Source = "files: *.csv",
        Target = $"main.{stream}",
        Mode = "replace",
        StartedAt = Start.AddHours(index),
        FinishedAt = Start.AddHours(index).AddSeconds(seconds),
        RowsLoaded = rows,
        Status = ok ? RunStatus.Succeeded : RunStatus.Failed,
    };

    private static AlertEvent? Judge(DeviationSettings limits, List<RunRecord> records) =>
        DeviationJudge.Judge(Orders, limits, records, records[^1].RunId, Start.AddDays(1));

    [Fact]
    public void RowsFarBelowTheMedian_Alert_WithTheNumbers()
    {
        var alert = Judge(new DeviationSettings { Rows = 0.5 }, History((100, 5, true), (120, 5, true), (90, 5, true), (30, 5, true)));

        alert.ShouldNotBeNull();
        (alert.Kind, alert.Pipeline, alert.Severity).ShouldBe(("deviation", "orders", "warn"));
        alert.Summary.ShouldBe("Pipeline orders loaded 30 rows, unlike its recent runs");
        alert.Details.ShouldBe("It loaded 30 rows, 70% below the median of its last 3 successful runs (100; limit ±50%).");
    }

    [Fact]
    public void WithinTheLimit_OrTooLittleHistory_NoAlert()
    {
        Judge(new DeviationSettings { Rows = 0.5 }, History((100, 5, true), (120, 5, true), (90, 5, true), (140, 5, true))).ShouldBeNull();
        Judge(new DeviationSettings { Rows = 0.5 }, History((100, 5, true), (120, 5, true), (10, 5, true))).ShouldBeNull("two earlier runs, three needed");
    }

    [Fact]
    public void FailedRuns_AreNotPartOfTheNormal_AndOnlyTheLastRunsCount()
    {
        // Old runs of 1,000 rows fall out of the last 3; the failed runs of 0 rows never count.
        var records = History((1000, 5, true), (1000, 5, true), (100, 5, true), (0, 5, false), (100, 5, true), (0, 5, false), (100, 5, true), (400, 5, true));

        var alert = Judge(new DeviationSettings { Rows = 1, Runs = 3 }, records);

        alert.ShouldNotBeNull();
        alert.Details.ShouldBe("It loaded 400 rows, 300% above the median of its last 3 successful runs (100; limit ±100%).");
    }

    [Fact]
    public void Duration_AndRows_AreJudgedTogether_OverEveryStreamOfARun()
    {
        var records = History((10, 10, true), (10, 12, true), (10, 11, true));
        // The last run has two streams: 10 + 5 rows, from its first start to its last finish (40 s).
        records.Add(Record(3, 10, 30, true));
        records.Add(Record(3, 5, 40, true, "refunds") with { RunId = records[^1].RunId });

        var alert = Judge(new DeviationSettings { Rows = 0.2, Duration = 1 }, records);

        alert.ShouldNotBeNull();
        alert.Summary.ShouldBe("Pipeline orders loaded 15 rows and took 40.0 s, unlike its recent runs");
        alert.Details!.Split('\n').ShouldBe([
            "It loaded 15 rows, 50% above the median of its last 3 successful runs (10; limit ±20%).",
            "It took 40.0 s, 264% above the median of its last 3 successful runs (11.0 s; limit ±100%).",
        ]);
    }

    [Fact]
    public void RowsAfterAnEmptyNormal_Alert_AndNothingAfterNothing_DoesNot()
    {
        Judge(new DeviationSettings { Rows = 0.5 }, History((0, 5, true), (0, 5, true), (0, 5, true), (0, 5, true))).ShouldBeNull();
        Judge(new DeviationSettings { Rows = 0.5 }, History((0, 5, true), (0, 5, true), (0, 5, true), (7, 5, true)))!
            .Details.ShouldBe("It loaded 7 rows, above the median of its last 3 successful runs (0; limit ±50%).");
    }
}
