namespace Wharf.Tests.Cli;

/// <summary>
/// Incremental loading on the embedded warehouse, driven through the CLI with a CSV source that
/// changes between runs: cursor, merge with deletes, scd2, state, counts, replay, lock.
/// </summary>
public sealed class IncrementalTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private TempProject Orders(string csv, string mode, string extra = "") => project.Write("data/o.csv", csv).WithPipelines($"""
          orders:
            source: local
            files: "o.csv"
            mode: {mode}
            primary_key: [id]
            cursor: updated_at
        {extra}
        """);

    private const string Day1 = "id,amount,updated_at\n1,10,2026-01-01 10:00:00\n2,20,2026-01-01 11:00:00\n3,30,2026-01-01 12:00:00\n";

    // Row 2 changed, row 3 deleted, row 4 new; row 1 untouched (and before the watermark).
    private const string Day2 = "id,amount,updated_at\n1,10,2026-01-01 10:00:00\n2,25,2026-01-02 09:00:00\n4,40,2026-01-02 10:00:00\n";

    private string Table(string sql = "select string_agg(id || ':' || amount, ' ' order by id) from orders") => (string)project.Scalar(sql)!;

    [Fact]
    public async Task Merge_WithCursorAndDeletes_TracksTheSourceAndRecordsCounts()
    {
        (await Orders(Day1, "merge", "    detect_deletes: true").RunAsync("run")).ExitCode.ShouldBe(0);
        var second = await Orders(Day2, "merge", "    detect_deletes: true").RunAsync("run");

        second.ExitCode.ShouldBe(0, second.ToString());
        Table().ShouldBe("1:10 2:25 4:40");
        var counts = project.Scalar("""
            select rows_extracted || ' ' || rows_inserted || ' ' || rows_updated || ' ' || rows_deleted || ' ' || watermark_before || ' > ' || watermark_after
            from _wharf.runs order by started_at desc limit 1
            """);
        counts.ShouldBe("2 1 1 1 updated_at=2026-01-01 12:00:00 > updated_at=2026-01-02 10:00:00");
        project.Scalar("select count(*) from _wharf.state where pipeline = 'orders' and watermark like '%2026-01-02 10:00:00%'").ShouldBe(1L);
    }

    [Fact]
    public async Task Append_WithCursor_LoadsEachRowOnce()
    {
        (await Orders(Day1, "append").RunAsync("run")).ExitCode.ShouldBe(0);
        (await Orders(Day1 + "5,50,2026-01-01 12:00:00\n6,60,2026-01-03 00:00:00\n", "append").RunAsync("run")).ExitCode.ShouldBe(0);
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);

        // Row 5 shares the old watermark's timestamp: read again (inclusive bound) and kept once; row 3 not doubled.
        Table().ShouldBe("1:10 2:20 3:30 5:50 6:60");
    }

    [Fact]
    public async Task Scd2_KeepsOneVersionPerState()
    {
        (await Orders(Day1, "scd2", "    detect_deletes: true").RunAsync("run")).ExitCode.ShouldBe(0);
        (await Orders(Day2, "scd2", "    detect_deletes: true").RunAsync("run")).ExitCode.ShouldBe(0);

        Table("select string_agg(id || ':' || amount || ':' || _wharf_is_current, ' ' order by id, _wharf_valid_from) from orders")
            .ShouldBe("1:10:true 2:20:false 2:25:true 3:30:false 4:40:true");
        project.Scalar("""
            select count(*) from orders o join orders n on o.id = n.id and not o._wharf_is_current and n._wharf_is_current
            where o._wharf_valid_to <> n._wharf_valid_from
            """).ShouldBe(0L);
    }

    [Fact]
    public async Task FullRefresh_IgnoresTheWatermarkAndRebuilds()
    {
        (await Orders(Day2, "merge").RunAsync("run")).ExitCode.ShouldBe(0);
        (await Orders(Day1, "merge").RunAsync("run", "--full-refresh")).ExitCode.ShouldBe(0);

        Table().ShouldBe("1:10 2:20 3:30");
        project.Scalar("select count(*) from _wharf.state where watermark like '%2026-01-01 12:00:00%'").ShouldBe(1L);
    }

    [Fact]
    public async Task Replay_RebuildsTheSameTableFromTheLake()
    {
        (await Orders(Day1, "scd2", "    detect_deletes: true").RunAsync("run")).ExitCode.ShouldBe(0);
        (await Orders(Day2, "scd2", "    detect_deletes: true").RunAsync("run")).ExitCode.ShouldBe(0);
        const string everything = """
            select string_agg(id || amount || updated_at || _wharf_run_id || _wharf_loaded_at || _wharf_valid_from || coalesce(_wharf_valid_to::varchar, '-') || _wharf_is_current, ',' order by id, _wharf_valid_from) from orders
            """;
        var before = Table(everything);
        File.Delete(Path.Combine(project.Root, "data", "o.csv"));
        // Damage the table first: a replay that did nothing must fail this test.
        project.Execute("delete from orders where id = 2").ShouldBe(2);
        project.Execute("update orders set amount = -1 where id = 1").ShouldBe(1);
        Table(everything).ShouldNotBe(before);

        var replay = await project.RunAsync("replay", "orders");

        replay.ExitCode.ShouldBe(0, replay.ToString());
        Table(everything).ShouldBe(before);
        project.Execute("delete from orders where id = 4").ShouldBe(1);
        (await project.RunAsync("replay", "orders", "--since", "2020-01-01")).ExitCode.ShouldBe(0);
        Table(everything).ShouldBe(before);
    }

    [Fact]
    public async Task Replay_UnknownRun_SaysSo()
    {
        (await Orders(Day1, "merge").RunAsync("run")).ExitCode.ShouldBe(0);

        var replay = await project.RunAsync("replay", "orders", "--run", "20990101T000000000Z-000000");

        replay.ExitCode.ShouldBe(1);
        replay.Error.ShouldContain("no committed lake files from run 20990101T000000000Z-000000");
    }

    [Fact]
    public async Task Run_WhilePipelineIsLocked_StopsAndNamesTheHolder()
    {
        Orders(Day1, "merge");
        using var held = await Wharf.Pipelines.PipelineLock.AcquireAsync(project.Root, "orders", "someone-else", TimeSpan.Zero, TimeProvider.System, TestContext.Current.CancellationToken);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("Pipeline 'orders' is already running: run someone-else");
        File.Exists(project.Warehouse).ShouldBeTrue();
        project.Scalar("select count(*) from information_schema.tables where table_name = 'orders'").ShouldBe(0L);
    }
}
