using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// Two <c>wharf run</c> processes of one cursor pipeline started at the same moment, twenty times
/// over, with new and changed source rows before each pair. Without <c>--wait</c> one of them may
/// run and the other stops at once, saying who holds the pipeline or the warehouse; with it, the
/// second queues behind the first. Either way no run fails otherwise, nothing is lost or doubled,
/// and the audit has one finished row per run that ran.
/// </summary>
public sealed class ConcurrentRunsTests(PostgresServer postgres)
{
    private const int Rounds = 20;

    [Theory]
    [InlineData(FaultWarehouse.DuckDb)]
    [InlineData(FaultWarehouse.Postgres)]
    public async Task Two_runs_started_together_twenty_times_never_write_at_once_and_lose_nothing(FaultWarehouse kind)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await FaultScenario.CreateAsync(postgres, kind, "merge", 500, ct);
        var ran = 0;
        var refused = 0;

        for (var round = 0; round < Rounds; round++)
        {
            // Work for both: new rows past the watermark, and an old row changed (cursors rise round by round).
            await scenario.Source.ExecuteAsync("""
                INSERT INTO public.items
                SELECT 100000 + $1 * 100 + i, timestamptz '2030-01-01 00:00:00+00' + ($1 * 1000 + i) * interval '1 second', 'round ' || $1, i
                FROM generate_series(1, 50) AS i
                """, ct, round);
            await scenario.Source.ExecuteAsync(
                "UPDATE public.items SET payload = 'changed in ' || $1, updated_at = timestamptz '2030-01-01 00:00:00+00' + ($1 * 1000 + 999) * interval '1 second' WHERE id = $1 + 1",
                ct, round);
            var wait = round % 2 == 1;
            string[] args = wait ? ["run", "--wait", "120"] : ["run"];

            using var first = WharfChild.Start(scenario.Root, null, ct, args);
            using var second = WharfChild.Start(scenario.Root, null, ct, args);
            var results = new[] { await first.WaitAsync(ct), await second.WaitAsync(ct) };

            foreach (var result in results)
            {
                if (result.ExitCode == 0)
                {
                    ran++;
                    continue;
                }

                wait.ShouldBeFalse($"with --wait both runs finish, one after the other\n{result}");
                result.ExitCode.ShouldBe(1, result.ToString());
                result.Error.ShouldMatch(@"Pipeline 'items' is already running: run \d{8}T\d{9}Z-[0-9a-f]{6} \(process \d+|warehouse .* is in use by another process.*PID \d+", result.ToString());
                refused++;
            }

            results.Count(r => r.ExitCode == 0).ShouldBeGreaterThanOrEqualTo(1, $"round {round}: one of the two runs always runs\n{results[0]}\n{results[1]}");
            await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        }

        refused.ShouldBeGreaterThan(0, "in twenty rounds, the two runs met at least once");
        var runs = await scenario.Warehouse.RunsAsync(ct);
        runs.Count.ShouldBe(ran, "one audit row per run that ran, none for a refused one");
        runs.ShouldAllBe(r => r.Status == "succeeded");
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }
}
