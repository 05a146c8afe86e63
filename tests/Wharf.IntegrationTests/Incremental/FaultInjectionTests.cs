using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// A cursor pipeline (10,000 rows from PostgreSQL, chunks of 1,000) whose <c>wharf run</c> dies
/// at a fail point (SIGKILL): the warehouse holds exactly the committed chunks, and the next run
/// resumes from the saved watermark and ends with exactly the source, without reading the
/// committed chunks again. Both warehouses, merge (with delete detection) and append.
/// </summary>
public sealed class FaultInjectionTests(PostgresServer postgres)
{
    internal const int Rows = 10_000;

    public static TheoryData<FaultWarehouse, string, string> EveryFailPoint()
    {
        var data = new TheoryData<FaultWarehouse, string, string>();
        foreach (var warehouse in new[] { FaultWarehouse.DuckDb, FaultWarehouse.Postgres })
        {
            foreach (var mode in new[] { "merge", "append" })
            {
                foreach (var failPoint in new[] { "extract.part-written:2", "load.before-commit:2", "chunk.committed:2" })
                {
                    data.Add(warehouse, mode, failPoint);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryFailPoint))]
    public Task FailPoint_KillsTheRun_ResumedRunLoadsExactlyTheSource(FaultWarehouse warehouse, string mode, string failPoint) =>
        KillAndResumeAsync(postgres, warehouse, mode, failPoint, changeSource: false);

    /// <summary>SCD2 keeps one version per key through a crash: the rows read again at the watermark open no new version.</summary>
    [Theory]
    [InlineData(FaultWarehouse.DuckDb, "load.before-commit:2")]
    [InlineData(FaultWarehouse.Postgres, "chunk.committed:2")]
    public Task FailPoint_KillsAnScd2Run_ResumedRunOpensNoExtraVersion(FaultWarehouse warehouse, string failPoint) =>
        KillAndResumeAsync(postgres, warehouse, "scd2", failPoint, changeSource: false);

    /// <summary>Two runs in a row die (after a commit, then before one); the third ends with exactly the source.</summary>
    [Theory]
    [InlineData(FaultWarehouse.DuckDb, "append")]
    [InlineData(FaultWarehouse.Postgres, "merge")]
    public async Task KilledTwiceInARow_ThirdRunLoadsExactlyTheSource(FaultWarehouse warehouse, string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await FaultScenario.CreateAsync(postgres, warehouse, mode, Rows, ct);
        var source = await scenario.Source.RowsAsync(ct);
        var first = await scenario.RunAsync("chunk.committed:2", ct);
        first.ExitCode.ShouldBe(WharfChild.KilledExitCode, first.ToString());
        var firstWatermark = (await scenario.Warehouse.WatermarkAsync(ct)).ShouldNotBeNull();

        var second = await scenario.RunAsync("load.before-commit:3", ct);

        second.ExitCode.ShouldBe(WharfChild.KilledExitCode, second.ToString());
        var left = await scenario.Warehouse.ItemsAsync(ct);
        var watermark = (await scenario.Warehouse.WatermarkAsync(ct)).ShouldNotBeNull();
        FaultRowAssert.ShouldBeCommittedPrefix(left, source, watermark);
        left.Count.ShouldBeGreaterThan(2 * FaultScenario.ChunkRows, "the second run committed two chunks of its own");
        var runs = await scenario.Warehouse.RunsAsync(ct);
        runs.Select(r => r.Status).ShouldBe(["interrupted", "running"]);
        runs[1].WatermarkBefore.ShouldBe($"updated_at={firstWatermark}");
        var toRead = await scenario.Source.CountFromAsync(watermark, ct);

        var third = await scenario.RunAsync(null, ct);

        third.ExitCode.ShouldBe(0, third.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, source, ct);
        runs = await scenario.Warehouse.RunsAsync(ct);
        runs.Select(r => r.Status).ShouldBe(["interrupted", "interrupted", "succeeded"]);
        runs[2].RowsExtracted.ShouldBe(toRead);
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }

    [Theory]
    [InlineData(FaultWarehouse.DuckDb, "merge")]
    [InlineData(FaultWarehouse.DuckDb, "append")]
    [InlineData(FaultWarehouse.Postgres, "merge")]
    [InlineData(FaultWarehouse.Postgres, "append")]
    public async Task SameRunTwice_ChangesNothing(FaultWarehouse warehouse, string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await FaultScenario.CreateAsync(postgres, warehouse, mode, 5_000, ct);

        var first = await scenario.RunAsync(null, ct);

        first.ExitCode.ShouldBe(0, first.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        (await scenario.Warehouse.RunsAsync(ct)).ShouldHaveSingleItem().RowsLoaded.ShouldBe(5_000L);
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
    }

    /// <summary>Rows committed when the run dies at the second hit of the fail point.</summary>
    private static int Committed(string failPoint) => failPoint switch
    {
        "extract.part-written:2" => 1 * FaultScenario.ChunkRows, // part 2 written, its chunk not loaded
        "load.before-commit:2" => 1 * FaultScenario.ChunkRows, // chunk 2 written, not committed
        "chunk.committed:2" => 2 * FaultScenario.ChunkRows,
        _ => throw new ArgumentOutOfRangeException(nameof(failPoint), failPoint, null),
    };

    internal static async Task KillAndResumeAsync(PostgresServer postgres, FaultWarehouse kind, string mode, string failPoint, bool changeSource)
    {
        var ct = TestContext.Current.CancellationToken;
        (changeSource && mode == "scd2").ShouldBeFalse("the expected SCD2 history after source changes is not modelled here");
        using var scenario = await FaultScenario.CreateAsync(postgres, kind, mode, Rows, ct);
        var warehouse = scenario.Warehouse;

        var killed = await scenario.RunAsync(failPoint, ct);

        // Dead on the spot, leaving exactly the committed chunks, their watermark and a 'running' audit row.
        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, $"WHARF_FAILPOINT={failPoint} kills the run\n{killed}");
        var committed = Committed(failPoint);
        var left = await warehouse.ItemsAsync(ct);
        left.Count.ShouldBe(committed, $"after {failPoint} the warehouse holds whole chunks only");
        var watermark = (await warehouse.WatermarkAsync(ct)).ShouldNotBeNull("the committed chunks saved their watermark");
        FaultRowAssert.ShouldBeCommittedPrefix(left, await scenario.Source.RowsAsync(ct), watermark);
        var dead = (await warehouse.RunsAsync(ct)).ShouldHaveSingleItem();
        dead.Status.ShouldBe("running");
        dead.RowsLoaded.ShouldBe(committed);
        dead.WatermarkAfter.ShouldBe($"updated_at={watermark}");

        if (changeSource)
        {
            await ChangeSourceAsync(scenario.Source, left, watermark, ct);
        }

        var source = await scenario.Source.RowsAsync(ct);
        var toRead = await scenario.Source.CountFromAsync(watermark, ct);

        var resumed = await scenario.RunAsync(null, ct);

        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, mode == "append" ? FaultRowAssert.AppendExpected(left, source, watermark) : source, ct);
        var runs = await warehouse.RunsAsync(ct);
        runs.Count.ShouldBe(2);
        runs[0].RunId.ShouldBe(dead.RunId);
        runs[0].Status.ShouldBe("interrupted", "the next run marks the dead one");
        runs[1].Status.ShouldBe("succeeded", runs[1].Error);
        runs[1].WatermarkBefore.ShouldBe($"updated_at={watermark}");
        runs[1].RowsExtracted.ShouldBe(toRead, "the resumed run reads from the saved watermark (inclusive), not from the start");
        runs[1].RowsExtracted.ShouldBeLessThan(source.Count);
        if (!changeSource)
        {
            var boundary = left.Count(r => r.UpdatedAt == watermark);
            runs[1].RowsExtracted.ShouldBe(Rows - committed + boundary, "committed chunks are not extracted again, only the rows at the watermark");
        }

        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }

    /// <summary>
    /// Between the dead run and the next: committed and uncommitted rows updated (cursor moved
    /// forward) and deleted, a committed row at the watermark changed in place (cursor unchanged),
    /// new rows, and a late row whose cursor equals the watermark.
    /// </summary>
    private static async Task ChangeSourceAsync(FaultSource source, List<FaultRow> committed, string watermark, CancellationToken ct)
    {
        var before = committed.Where(r => FaultRowAssert.Before(r, watermark)).Select(r => r.Id).Order().ToList();
        var atWatermark = committed.Where(r => r.UpdatedAt == watermark).Select(r => r.Id).Order().ToList();
        var pending = (await source.RowsAsync(ct)).Where(r => string.CompareOrdinal(r.UpdatedAt, watermark) > 0).Select(r => r.Id).Order().ToList();
        long[] updated = [before[10], before[100], before[^5], pending[5], pending[1500], pending[^1]];
        long[] deleted = [before[20], before[^10], pending[7], pending[2500]];

        await source.ExecuteAsync("""
            UPDATE public.items SET payload = 'updated ' || id, amount = coalesce(amount, 0) + 1,
                   updated_at = timestamptz '2024-02-01 00:00:00+00' + id * interval '1 microsecond'
            WHERE id = ANY($1)
            """, ct, updated);
        await source.ExecuteAsync("DELETE FROM public.items WHERE id = ANY($1)", ct, deleted);
        await source.ExecuteAsync("UPDATE public.items SET payload = 'changed at the watermark' WHERE id = $1", ct, atWatermark[0]);
        await source.ExecuteAsync("""
            INSERT INTO public.items
            SELECT i, timestamptz '2024-02-02 00:00:00+00' + i * interval '1 millisecond', 'new ' || i, i
            FROM generate_series(20001, 20005) AS i
            """, ct);
        await source.ExecuteAsync("INSERT INTO public.items VALUES (20006, $1::timestamptz, 'late, at the watermark', 6.5)", ct, watermark);
    }
}

/// <summary>
/// As <see cref="FaultInjectionTests"/>, with the source changed (updates, deletes, inserts, a late
/// row at the watermark) between the dead run and the next: the result still equals the source
/// (merge with delete detection), or its history (append). One fail point per warehouse and mode.
/// </summary>
public sealed class FaultInjectionSourceChangeTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(FaultWarehouse.DuckDb, "merge", "extract.part-written:2")]
    [InlineData(FaultWarehouse.DuckDb, "merge", "chunk.committed:2")]
    [InlineData(FaultWarehouse.DuckDb, "append", "load.before-commit:2")]
    [InlineData(FaultWarehouse.Postgres, "merge", "load.before-commit:2")]
    [InlineData(FaultWarehouse.Postgres, "append", "extract.part-written:2")]
    [InlineData(FaultWarehouse.Postgres, "append", "chunk.committed:2")]
    public Task FailPoint_ThenSourceChanges_ResumedRunStillMatchesTheSource(FaultWarehouse warehouse, string mode, string failPoint) =>
        FaultInjectionTests.KillAndResumeAsync(postgres, warehouse, mode, failPoint, changeSource: true);

    /// <summary>
    /// The run dies in its last load (ten chunks, then the step that applies deletes and marks the
    /// run succeeded): every row is committed, the deletes are not. The next run applies them.
    /// </summary>
    [Theory]
    [InlineData(FaultWarehouse.DuckDb)]
    [InlineData(FaultWarehouse.Postgres)]
    public async Task FailPoint_InTheFinalDeleteStep_ResumedRunAppliesTheDeletes(FaultWarehouse warehouse)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await FaultScenario.CreateAsync(postgres, warehouse, "merge", FaultInjectionTests.Rows, ct);
        await scenario.Source.ExecuteAsync("DELETE FROM public.items WHERE id % 1000 = 17", ct);
        const int finalLoad = 11; // 9,990 rows: ten chunks (the last of 990 rows), then the final step

        var killed = await scenario.RunAsync($"load.before-commit:{finalLoad}", ct);

        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        var watermark = (await scenario.Warehouse.WatermarkAsync(ct)).ShouldNotBeNull();
        (await scenario.Warehouse.RunsAsync(ct)).ShouldHaveSingleItem().Status.ShouldBe("running", "the run died before its last step committed");

        // Gone from the source while nobody ran: hard deletes the next run must find.
        await scenario.Source.ExecuteAsync("DELETE FROM public.items WHERE id % 1000 = 500 OR id = 3", ct);
        var toRead = await scenario.Source.CountFromAsync(watermark, ct);

        var resumed = await scenario.RunAsync(null, ct);

        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        var runs = await scenario.Warehouse.RunsAsync(ct);
        runs.Select(r => r.Status).ShouldBe(["interrupted", "succeeded"]);
        runs[1].RowsExtracted.ShouldBe(toRead, "every chunk was committed: only the rows at the watermark are read again");
        runs[1].RowsDeleted.ShouldBe(11L);
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }
    /// <summary>
    /// A run finds deletes from the last run's key summary and the rows loaded since, without
    /// reading the table; a key loaded by a run that then died is in neither. That run's commits
    /// must make the next run compare the table itself, or the key, later deleted at the source,
    /// would stay in the warehouse for good.
    /// </summary>
    [Theory]
    [InlineData(FaultWarehouse.DuckDb)]
    [InlineData(FaultWarehouse.Postgres)]
    public async Task KeysLoadedByARunThatDied_AreDeletedWhenTheSourceDropsThem(FaultWarehouse warehouse)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await FaultScenario.CreateAsync(postgres, warehouse, "merge", 3000, ct);
        (await scenario.RunAsync(null, ct)).ExitCode.ShouldBe(0);
        await scenario.Source.ExecuteAsync(
            "INSERT INTO public.items SELECT 100000 + i, now() + i * interval '1 second', 'late', 1.00 FROM generate_series(1, 2500) AS i", ct);

        var killed = await scenario.RunAsync("chunk.committed:1", ct);

        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        (await scenario.Warehouse.ItemsAsync(ct)).Count(r => r.Payload == "late").ShouldBeInRange(FaultScenario.ChunkRows - 3, FaultScenario.ChunkRows, "the first chunk of new keys committed");
        await scenario.Source.ExecuteAsync("DELETE FROM public.items WHERE id BETWEEN 100001 AND 100010 OR id = 7", ct);

        var resumed = await scenario.RunAsync(null, ct);

        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        (await scenario.Warehouse.RunsAsync(ct))[^1].RowsDeleted.ShouldBe(11L);

        // The next run goes by the summary again, and still finds every delete.
        await scenario.Source.ExecuteAsync("DELETE FROM public.items WHERE id IN (100500, 2500, 8)", ct);
        (await scenario.RunAsync(null, ct)).ExitCode.ShouldBe(0);
        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        (await scenario.Warehouse.RunsAsync(ct))[^1].RowsDeleted.ShouldBe(3L);
    }
}

/// <summary>
/// <c>wharf run</c> killed from outside (SIGKILL) at a moment chosen by the clock, not by a fail
/// point: once chunks are committing. The warehouse holds a committed prefix, and the next run
/// ends with exactly the source.
/// </summary>
public sealed class FaultInjectionKillTests(PostgresServer postgres)
{
    private const int Rows = 20_000;

    [Theory]
    [InlineData(FaultWarehouse.Postgres, "merge")]
    [InlineData(FaultWarehouse.Postgres, "append")]
    [InlineData(FaultWarehouse.DuckDb, "merge")]
    [InlineData(FaultWarehouse.DuckDb, "append")]
    public async Task KilledFromOutside_MidRun_NextRunLoadsExactlyTheSource(FaultWarehouse kind, string mode)
    {
        var ct = TestContext.Current.CancellationToken;
        using var scenario = await FaultScenario.CreateAsync(postgres, kind, mode, Rows, ct);
        var warehouse = scenario.Warehouse;
        using (var child = scenario.Start(ct))
        {
            // PostgreSQL: a watermark is saved. DuckDB (its file is locked by the run): a third lake
            // part exists, so two chunks have committed (each part is loaded before the next is read).
            await FaultChecks.WaitUntilAsync(child, kind == FaultWarehouse.Postgres
                ? () => ((PostgresFaultWarehouse)warehouse).HasStateAsync(ct)
                : () => Task.FromResult(scenario.LakeParts() >= 3), "the first chunks committed", ct);
            await Task.Delay(Random.Shared.Next(0, 400), ct);
            child.HasExited.ShouldBeFalse("the run finished before it could be killed; the table is too small");

            child.Kill();

            (await child.WaitAsync(ct)).ExitCode.ShouldBe(WharfChild.KilledExitCode);
        }

        var left = await warehouse.ItemsAsync(ct);
        var watermark = (await warehouse.WatermarkAsync(ct)).ShouldNotBeNull();
        var source = await scenario.Source.RowsAsync(ct);
        FaultRowAssert.ShouldBeCommittedPrefix(left, source, watermark);
        left.Count.ShouldBeLessThan(Rows, "killed mid-run");
        var dead = (await warehouse.RunsAsync(ct)).ShouldHaveSingleItem();
        dead.Status.ShouldBe("running");
        dead.RowsLoaded.ShouldBe(left.Count);
        var toRead = await scenario.Source.CountFromAsync(watermark, ct);

        var resumed = await scenario.RunAsync(null, ct);

        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        await FaultChecks.ShouldHoldAsync(scenario, source, ct);
        var runs = await warehouse.RunsAsync(ct);
        runs.Select(r => r.Status).ShouldBe(["interrupted", "succeeded"]);
        runs[1].RowsExtracted.ShouldBe(toRead, "the next run resumes at the saved watermark");
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }
}
