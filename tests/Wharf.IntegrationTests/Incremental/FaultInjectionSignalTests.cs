using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// SIGTERM (what a service manager or <c>kill</c> sends) and SIGINT (Ctrl+C) arriving while a
/// cursor pipeline extracts, loads or has just committed a chunk. The fail point makes the run
/// send itself the signal at that very step and carry on, so the signal lands where the test
/// says. The run must stop by itself (no forced kill), say it was cancelled, keep whole chunks
/// only, and leave state the next run resumes from to end with exactly the source.
/// </summary>
public sealed class FaultInjectionSignalTests(PostgresServer postgres)
{
    private const int Rows = 10_000;

    public static TheoryData<FaultWarehouse, string, string> EverySignalAtEveryStep()
    {
        var data = new TheoryData<FaultWarehouse, string, string>();
        foreach (var warehouse in new[] { FaultWarehouse.DuckDb, FaultWarehouse.Postgres })
        {
            foreach (var signal in new[] { "SIGTERM", "SIGINT" })
            {
                foreach (var step in new[] { "extract.part-written:2", "load.before-commit:2", "chunk.committed:2" })
                {
                    data.Add(warehouse, signal, step);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EverySignalAtEveryStep))]
    public async Task A_signal_at_a_step_stops_the_run_cleanly_and_the_next_run_loads_exactly_the_source(FaultWarehouse kind, string signal, string step)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await FaultScenario.CreateAsync(postgres, kind, "merge", Rows, ct);
        var warehouse = scenario.Warehouse;
        var source = await scenario.Source.RowsAsync(ct);

        var stopped = signal == "SIGINT"
            ? await WharfChild.RunWithDefaultSigintAsync(scenario.Root, $"{step}:{signal}", ct, "run")
            : await scenario.RunAsync($"{step}:{signal}", ct);

        // Stopped by itself, saying so: not killed (137), not a crash, not a finished run.
        stopped.ExitCode.ShouldBe(1, stopped.ToString());
        stopped.Error.ShouldContain("Cancelled", Case.Sensitive, stopped.ToString());
        stopped.Error.ShouldNotContain("bug in Wharf", Case.Sensitive, stopped.ToString());
        var left = await warehouse.ItemsAsync(ct);
        left.Count.ShouldBeLessThan(Rows, "the run stopped before its end");
        var watermark = await warehouse.WatermarkAsync(ct);
        FaultRowAssert.ShouldBeCommittedPrefix(left, source, watermark);
        var stoppedRun = (await warehouse.RunsAsync(ct)).ShouldHaveSingleItem();
        stoppedRun.RowsLoaded.ShouldBe(left.Count, "the audit counts exactly the committed rows");

        var resumed = await scenario.RunAsync(null, ct);

        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, source, ct);
        var runs = await warehouse.RunsAsync(ct);
        runs.Select(r => r.Status).ShouldBe(["interrupted", "succeeded"]);
        runs[1].RowsExtracted.ShouldBe(await scenario.Source.CountFromAsync(watermark!, ct), "the next run resumes at the saved watermark");
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }
}
