using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// A cursor stream's first load read whole (<c>first_load: whole</c>, the default): the source
/// table in parallel key ranges of one snapshot, loaded in one transaction, its watermark the
/// highest cursor read; later runs go on from it chunk by chunk. The source's row estimate is set
/// to millions, so that its 10,000 rows are split into ranges as a big table's would be.
/// </summary>
public sealed class WholeFirstLoadTests(PostgresServer postgres)
{
    private const int Rows = 10_000;
    private const string Whole = "first_load: whole\nparallel: 2";

    [Theory]
    [InlineData(FaultWarehouse.DuckDb, "merge")]
    [InlineData(FaultWarehouse.DuckDb, "append")]
    [InlineData(FaultWarehouse.Postgres, "merge")]
    [InlineData(FaultWarehouse.Postgres, "append")]
    [InlineData(FaultWarehouse.Postgres, "scd2")]
    public async Task FirstLoad_IsReadInKeyRanges_AndCommittedOnce_ThenTheNextRunStartsAtItsHighestCursor(FaultWarehouse kind, string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await BigScenarioAsync(kind, mode, Whole, ct);

        // A committed chunk would kill the run here.
        var first = await scenario.RunAsync("chunk.committed:1", ct);

        first.ExitCode.ShouldBe(0, first.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        scenario.LakeParts().ShouldBe(2, $"one lake part per key range, not one per {FaultScenario.ChunkRows} rows in cursor order");
        var run = (await scenario.Warehouse.RunsAsync(ct)).ShouldHaveSingleItem();
        run.Status.ShouldBe("succeeded", run.Error);
        (run.RowsExtracted, run.RowsInserted, run.RowsDeleted).ShouldBe((Rows, Rows, 0L));
        run.WatermarkBefore.ShouldBeNull();
        run.WatermarkAfter.ShouldBe($"updated_at={await scenario.Source.MaxCursorAsync(ct)}");
        if (scenario.Warehouse is PostgresFaultWarehouse postgresWarehouse)
        {
            // Built beside the (empty) table as its parts came, keyed at the swap.
            (await postgresWarehouse.PrimaryKeyAsync(ct)).ShouldBe(mode switch { "scd2" => ["id", "_wharf_valid_from"], "append" => [], _ => ["id"] });
        }

        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }

    [Theory]
    [InlineData(FaultWarehouse.DuckDb)]
    [InlineData(FaultWarehouse.Postgres)]
    public async Task AfterAWholeFirstLoad_UpdatesInsertsAndDeletes_AreAppliedExactly(FaultWarehouse kind)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await BigScenarioAsync(kind, "merge", Whole, ct);
        (await scenario.RunAsync(null, ct)).ExitCode.ShouldBe(0);
        await scenario.Source.ExecuteAsync("""
            UPDATE public.items SET payload = 'updated', updated_at = timestamptz '2025-01-01 00:00:00+00' + id * interval '1 microsecond' WHERE id IN (7, 5000, 9999);
            DELETE FROM public.items WHERE id IN (2, 6001);
            INSERT INTO public.items VALUES (10001, timestamptz '2025-01-02 00:00:00+00', 'new', 1.5);
            """, ct);

        var second = await scenario.RunAsync(null, ct);

        second.ExitCode.ShouldBe(0, second.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        var run = (await scenario.Warehouse.RunsAsync(ct))[^1];
        (run.RowsInserted, run.RowsUpdated, run.RowsDeleted).ShouldBe((1L, 3L, 2L));
    }

    /// <summary>
    /// A whole first load keyed by the source's primary key skips counting distinct keys, since the
    /// source enforces them; not when a transform may fold two keys into one: here every two ids
    /// become one, and the merge keeps one row per key, as a chunked load would.
    /// </summary>
    [Fact]
    public async Task FirstLoad_WhoseTransformFoldsKeys_KeepsOneRowPerKey()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await BigScenarioAsync(FaultWarehouse.DuckDb, "merge", $"{Whole}\ntransform:\n  - derive: {{ id: \"id // 2\" }}", ct);

        var run = await scenario.RunAsync(null, ct);

        run.ExitCode.ShouldBe(0, run.ToString());
        var folded = (await scenario.Source.RowsAsync(ct)).Select(r => r.Id / 2).Distinct().Order().ToList();
        (await scenario.Warehouse.ItemsAsync(ct)).Select(r => r.Id).ToList().ShouldBe(folded);
    }

    /// <summary>
    /// Killed before its one commit, a whole first load leaves the warehouse and its state as they
    /// were (nothing); the next run reads the first load again, from the beginning.
    /// </summary>
    [Theory]
    [InlineData(FaultWarehouse.DuckDb)]
    [InlineData(FaultWarehouse.Postgres)]
    public async Task KilledBeforeItsCommit_LeavesNothing_AndTheNextRunLoadsExactlyTheSource(FaultWarehouse kind)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await BigScenarioAsync(kind, "merge", Whole, ct);

        var killed = await scenario.RunAsync("load.before-commit:1", ct);

        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        (await scenario.Warehouse.ItemsAsync(ct)).ShouldBeEmpty();
        (await scenario.Warehouse.WatermarkAsync(ct)).ShouldBeNull();
        (await scenario.Warehouse.RunsAsync(ct)).ShouldAllBe(r => r.Status != "succeeded" && r.RowsLoaded == 0);

        var next = await scenario.RunAsync(null, ct);

        next.ExitCode.ShouldBe(0, next.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        var run = (await scenario.Warehouse.RunsAsync(ct))[^1];
        run.Status.ShouldBe("succeeded", run.Error);
        run.RowsExtracted.ShouldBe(Rows, "nothing was committed, so the first load starts over");
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }

    /// <summary>
    /// <c>first_load: chunks</c> keeps the first load in cursor order, committed chunk by chunk:
    /// killed after its second chunk, it keeps those, and the next run resumes after them.
    /// </summary>
    [Fact]
    public async Task FirstLoadInChunks_KilledAfterTwoChunks_KeepsThem()
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await BigScenarioAsync(FaultWarehouse.Postgres, "merge", "first_load: chunks\nparallel: 2", ct);

        var killed = await scenario.RunAsync("chunk.committed:2", ct);

        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        (await scenario.Warehouse.ItemsAsync(ct)).Count.ShouldBe(2 * FaultScenario.ChunkRows);
        var watermark = (await scenario.Warehouse.WatermarkAsync(ct)).ShouldNotBeNull();
        var toRead = await scenario.Source.CountFromAsync(watermark, ct);

        var resumed = await scenario.RunAsync(null, ct);

        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        (await scenario.Warehouse.RunsAsync(ct))[^1].RowsExtracted.ShouldBe(toRead);
    }

    /// <summary>
    /// A scenario of <see cref="Rows"/> rows whose table PostgreSQL estimates at 3,000,000 (autovacuum
    /// kept from correcting it): the source then splits it into key ranges.
    /// </summary>
    private async Task<FaultScenario> BigScenarioAsync(FaultWarehouse kind, string mode, string settings, CancellationToken cancellationToken)
    {
        var scenario = await FaultScenario.CreateAsync(postgres, kind, mode, Rows, cancellationToken, settings);
        try
        {
            await scenario.Source.ExecuteAsync("""
                ALTER TABLE public.items SET (autovacuum_enabled = false);
                UPDATE pg_class SET reltuples = 3000000 WHERE oid = 'public.items'::regclass;
                """, cancellationToken);
            return scenario;
        }
        catch
        {
            scenario.Dispose();
            throw;
        }
    }
}
