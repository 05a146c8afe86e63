using System.Globalization;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// Incremental loading from a PostgreSQL table that changes between runs: after every run, each
/// write mode (append, merge with hard or soft deletes, scd2, change_detection: hash) must leave
/// the table exactly as a replay of the source's states says, on the DuckDB and the PostgreSQL
/// warehouse alike; the audit counts what changed; watermark edge cases load every row once.
/// </summary>
public sealed class ChangeScenarioTests(PostgresServer postgres)
{
    private const string CreateItems = "create table items (id int primary key, name text, amount numeric(12,2), updated_at timestamptz);";

    /// <summary>
    /// The source before each of seven runs. Every change moves updated_at forward; rows 5 and 6
    /// share run 1's watermark, rows 1 and 9 share run 3's (and are then deleted); key 4 is deleted
    /// and comes back; NULLs come and go in name and amount; run 4 sees no change at all; run 6
    /// finds the table empty, and run 7 sees a new key and key 2 back.
    /// </summary>
    private static readonly string[] Steps =
    [
        CreateItems + """
            insert into items values
              (1, 'alpha', 10.50, '2026-01-01 11:00:00.000001+00'),
              (2, 'bravo', 20.00, '2026-01-01 11:00:00.000001+00'),
              (3, 'charlie', null, '2026-01-01 12:00:00+00'),
              (4, 'delta', 0.01, '2026-01-01 12:00:00+00'),
              (5, 'echo', -5.25, '2026-01-01 13:00:00.123456+00'),
              (6, null, 9999999999.99, '2026-01-01 13:00:00.123456+00');
            """,
        """
            insert into items values (7, 'foxtrot', 7.00, '2026-01-02 09:00:00+00'), (8, 'golf', 8.00, '2026-01-02 09:00:00+00');
            update items set name = 'bravo-2', updated_at = '2026-01-02 09:01:00+00' where id = 2;
            update items set amount = 33.33, updated_at = '2026-01-02 09:02:00.5+00' where id = 3;
            delete from items where id = 4;
            """,
        """
            update items set name = 'bravo-3', amount = 21.00, updated_at = '2026-01-03 08:00:00+00' where id = 2;
            delete from items where id = 5;
            insert into items values (4, 'delta-again', 4.40, '2026-01-03 08:00:01+00');
            update items set amount = 7.70, updated_at = '2026-01-03 08:00:02+00' where id = 7;
            update items set name = null, updated_at = '2026-01-03 08:00:03+00' where id = 1;
            insert into items values (9, 'india', 9.99, '2026-01-03 08:00:03+00');
            """,
        "",
        """
            delete from items where id in (1, 9);
            update items set name = 'hotel', updated_at = '2026-01-04 11:20:00+00' where id = 6;
            """,
        "delete from items;",
        "insert into items values (10, 'juliet', 10.10, '2026-01-05 00:00:00+00'), (2, 'bravo-4', 22.22, '2026-01-05 00:00:00+00');",
    ];

    /// <summary>The watermark after each run, as _wharf.runs writes it.</summary>
    private static readonly string[] Watermarks =
    [
        "updated_at=2026-01-01 13:00:00.123456+00",
        "updated_at=2026-01-02 09:02:00.500000+00",
        "updated_at=2026-01-03 08:00:03.000000+00",
        "updated_at=2026-01-03 08:00:03.000000+00",
        "updated_at=2026-01-04 11:20:00.000000+00",
        "updated_at=2026-01-04 11:20:00.000000+00",
        "updated_at=2026-01-05 00:00:00.000000+00",
    ];

    /// <summary>Rows a cursor run extracts: those at or past the watermark (the boundary rows again).</summary>
    private static readonly long[] CursorExtracted = [6, 6, 6, 2, 1, 0, 2];

    /// <summary>Rows a change_detection: hash run extracts: the whole table.</summary>
    private static readonly long[] FullExtracted = [6, 7, 8, 8, 6, 0, 2];

    private enum Shape
    {
        Append,
        Merge,
        SoftMerge,
        Scd2,
    }

    private readonly record struct Counts(long Inserted, long Updated, long Deleted, long Unchanged);

    private sealed record ModeCase(string Settings, Shape Shape, bool Cursor, Counts[] Counts);

    /// <summary>Each mode, and what its seven runs must count (inserted, updated, deleted, unchanged).</summary>
    private static readonly Dictionary<string, ModeCase> Modes = new(StringComparer.Ordinal)
    {
        ["append_cursor"] = new("mode: append\ncursor: updated_at", Shape.Append, true,
            [new(6, 0, 0, 0), new(4, 0, 0, 2), new(5, 0, 0, 1), new(0, 0, 0, 2), new(1, 0, 0, 0), new(0, 0, 0, 0), new(2, 0, 0, 0)]),
        ["merge_cursor_hard_deletes"] = new("mode: merge\ncursor: updated_at\ndetect_deletes: true", Shape.Merge, true,
            [new(6, 0, 0, 0), new(2, 2, 1, 2), new(2, 3, 1, 1), new(0, 0, 0, 2), new(0, 1, 2, 0), new(0, 0, 6, 0), new(2, 0, 0, 0)]),

        // Keys 4 and 2 come back while their soft-deleted rows are still in the table: updates of those rows.
        ["merge_cursor_soft_deletes"] = new("mode: merge\ncursor: updated_at\ndetect_deletes: true\ndeletes: soft", Shape.SoftMerge, true,
            [new(6, 0, 0, 0), new(2, 2, 1, 2), new(1, 4, 1, 1), new(0, 0, 0, 2), new(0, 1, 2, 0), new(0, 0, 6, 0), new(1, 1, 0, 0)]),
        ["scd2_cursor_deletes"] = new("mode: scd2\ncursor: updated_at\ndetect_deletes: true", Shape.Scd2, true,
            [new(6, 0, 0, 0), new(2, 2, 1, 2), new(2, 3, 1, 1), new(0, 0, 0, 2), new(0, 1, 2, 0), new(0, 0, 6, 0), new(2, 0, 0, 0)]),
        ["merge_hash"] = new("mode: merge\nchange_detection: hash", Shape.Merge, false,
            [new(6, 0, 0, 0), new(2, 2, 1, 3), new(2, 3, 1, 3), new(0, 0, 0, 8), new(0, 1, 2, 5), new(0, 0, 6, 0), new(2, 0, 0, 0)]),
        ["merge_hash_soft_deletes"] = new("mode: merge\nchange_detection: hash\ndeletes: soft", Shape.SoftMerge, false,
            [new(6, 0, 0, 0), new(2, 2, 1, 3), new(1, 4, 1, 3), new(0, 0, 0, 8), new(0, 1, 2, 5), new(0, 0, 6, 0), new(1, 1, 0, 0)]),
        ["scd2_hash"] = new("mode: scd2\nchange_detection: hash", Shape.Scd2, false,
            [new(6, 0, 0, 0), new(2, 2, 1, 3), new(2, 3, 1, 3), new(0, 0, 0, 8), new(0, 1, 2, 5), new(0, 0, 6, 0), new(2, 0, 0, 0)]),
    };

    public static TheoryData<string, WarehouseUnderTest> Scenarios()
    {
        var data = new TheoryData<string, WarehouseUnderTest>();
        foreach (var mode in Modes.Keys)
        {
            data.Add(mode, WarehouseUnderTest.DuckDb);
            data.Add(mode, WarehouseUnderTest.Postgres);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task InsertsUpdatesAndDeletes_BetweenRuns_LeaveTheTableAsTheSourceSays_AfterEveryRun(string mode, WarehouseUnderTest warehouse)
    {
        var scenario = Modes[mode];
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, Steps[0]);
        project.Configure(scenario.Settings);
        var history = new ItemHistory();
        List<string>? previousTable = null;
        for (var run = 0; run < Steps.Length; run++)
        {
            if (run > 0 && Steps[run].Length > 0)
            {
                await project.ExecuteSourceAsync(Steps[run]);
            }

            var record = await project.RunAsync();
            history.Add(await SourceItemsAsync(project), record.RunId);
            var because = $"{mode} into {warehouse}, after run {run + 1}";

            await AssertTableAsync(project, history, scenario.Shape, because);

            var expected = scenario.Counts[run];
            var extracted = (scenario.Cursor ? CursorExtracted : FullExtracted)[run];
            var watermarkBefore = scenario.Cursor && run > 0 ? Watermarks[run - 1] : null;
            var watermarkAfter = scenario.Cursor ? Watermarks[run] : null;
            var audit = await project.AuditAsync(record.RunId);
            audit.ShouldBe(
                new AuditRow("succeeded", extracted, expected.Inserted + expected.Updated, expected.Inserted, expected.Updated, expected.Deleted, expected.Unchanged, watermarkBefore, watermarkAfter),
                $"{because}: _wharf.runs (status, extracted, loaded, inserted, updated, deleted, unchanged, watermark before, after)");
            new AuditRow(record.Status.ToString().ToLowerInvariant(), record.RowsExtracted, record.RowsLoaded, record.RowsInserted, record.RowsUpdated, record.RowsDeleted,
                record.RowsUnchanged, record.WatermarkBefore, record.WatermarkAfter).ShouldBe(audit, $"{because}: the run summary says what _wharf.runs says");
            if (scenario.Cursor)
            {
                (await project.StateWatermarkAsync()).ShouldBe(Watermarks[run], $"{because}: _wharf.state");
            }

            // Idempotency: run 4 saw no change, so the table (every column, metadata included) is as run 3 left it.
            var table = await AllRowsAsync(project);
            if (run == 3)
            {
                table.ShouldBe(previousTable, $"{because}: a run without source changes must change nothing");
            }

            previousTable = table;
        }
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task SoftDeletes_WithACursor_TheFirstRunLoads_AndAGoneKeyGetsDeletedAt(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'a', 1, '2026-01-01 00:00:00+00'), (2, 'b', 2, '2026-01-01 00:00:00+00');
            """);
        project.Configure("mode: merge\ncursor: updated_at\ndetect_deletes: true\ndeletes: soft");

        var first = await project.RunAsync();
        await project.ExecuteSourceAsync("delete from items where id = 1;");
        var second = await project.RunAsync();

        first.RowsInserted.ShouldBe(2);
        second.RowsDeleted.ShouldBe(1);
        (await project.WarehouseRowsAsync("select id, _wharf_deleted_at from raw.items order by id")).Select(r => string.Join(" | ", r.Select(IncrementalProject.Format)))
            .ShouldBe([$"1 | {IncrementalProject.Format(RunId.StartedAt(second.RunId).UtcDateTime)}", "2 | NULL"]);
    }

    [Theory]
    [InlineData("merge_hash_soft_deletes", WarehouseUnderTest.DuckDb)]
    [InlineData("merge_hash_soft_deletes", WarehouseUnderTest.Postgres)]
    [InlineData("scd2_hash", WarehouseUnderTest.DuckDb)]
    [InlineData("scd2_hash", WarehouseUnderTest.Postgres)]
    public async Task KeyDeleted_ThenBackWithExactlyItsOldValues_IsUndeletedOrReopened(string mode, WarehouseUnderTest warehouse)
    {
        var scenario = Modes[mode];
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'a', 1, '2026-01-01 00:00:00+00'), (2, 'b', 2, '2026-01-01 00:00:00+00');
            """);
        project.Configure(scenario.Settings);
        var history = new ItemHistory();
        string[] steps = ["", "delete from items where id = 1;", "insert into items values (1, 'a', 1, '2026-01-01 00:00:00+00');"];
        var counts = new Counts[] { new(2, 0, 0, 0), new(0, 0, 1, 1), scenario.Shape == Shape.Scd2 ? new(1, 0, 0, 1) : new(0, 1, 0, 1) };
        for (var run = 0; run < steps.Length; run++)
        {
            if (steps[run].Length > 0)
            {
                await project.ExecuteSourceAsync(steps[run]);
            }

            var record = await project.RunAsync();
            history.Add(await SourceItemsAsync(project), record.RunId);
            var because = $"{mode} into {warehouse}, after run {run + 1}";
            await AssertTableAsync(project, history, scenario.Shape, because);
            var (inserted, updated, deleted, unchanged) = counts[run];
            (record.RowsInserted, record.RowsUpdated, record.RowsDeleted, record.RowsUnchanged).ShouldBe((inserted, updated, deleted, unchanged), because);
        }
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Scd2_WithTrack_OpensAVersionOnlyWhenATrackedColumnChanges(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'a', 1, '2026-01-01 00:00:00+00'), (2, 'b', 2, '2026-01-01 00:00:00+00');
            """);
        project.Configure("mode: scd2\ncursor: updated_at\ntrack: [name]");
        var first = await project.RunAsync();

        await project.ExecuteSourceAsync("update items set amount = 10, updated_at = '2026-01-02 00:00:00+00' where id = 1;");
        var untracked = await project.RunAsync();

        (untracked.RowsInserted, untracked.RowsUpdated, untracked.RowsUnchanged).ShouldBe((0L, 0L, 2L), "only amount (and the cursor) changed, and they are not tracked; row 2 is re-read at the watermark");
        (await project.WarehouseScalarAsync("select count(*) from raw.items")).ShouldBe(2L);

        await project.ExecuteSourceAsync("update items set name = 'a2', updated_at = '2026-01-03 00:00:00+00' where id = 1;");
        var tracked = await project.RunAsync();

        (tracked.RowsInserted, tracked.RowsUpdated, tracked.RowsUnchanged).ShouldBe((0L, 1L, 0L));
        var start = RunId.StartedAt(tracked.RunId).UtcDateTime;
        var versions = await project.WarehouseRowsAsync("select name, _wharf_valid_from, _wharf_valid_to, _wharf_is_current from raw.items where id = 1 order by _wharf_valid_from");
        versions.Select(v => string.Join(" | ", v.Select(IncrementalProject.Format))).ShouldBe([
            $"a | {IncrementalProject.Format(RunId.StartedAt(first.RunId).UtcDateTime)} | {IncrementalProject.Format(start)} | false",
            $"a2 | {IncrementalProject.Format(start)} | NULL | true"]);
        (await project.WarehouseScalarAsync("select amount from raw.items where id = 1 and _wharf_is_current")).ShouldBe(10m, "the new version holds the source's current values");
    }

    [Theory]
    [InlineData("mode: merge", WarehouseUnderTest.DuckDb)]
    [InlineData("mode: merge", WarehouseUnderTest.Postgres)]
    [InlineData("mode: scd2", WarehouseUnderTest.DuckDb)]
    [InlineData("mode: scd2", WarehouseUnderTest.Postgres)]
    [InlineData("mode: merge\nchange_detection: hash", WarehouseUnderTest.DuckDb)]
    [InlineData("mode: merge\nchange_detection: hash", WarehouseUnderTest.Postgres)]
    public async Task AnIntervalThatChangesToOneOfTheSameLength_IsAChange(string settings, WarehouseUnderTest warehouse)
    {
        // Both engines call '1 month' and '30 days' equal (and '1 day' and '24 hours'); they are not the same value.
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, """
            create table items (id int primary key, span interval);
            insert into items values (1, '1 month'), (2, '1 day'), (3, '2 hours');
            """);
        project.Configure(settings);
        await project.RunAsync();

        await project.ExecuteSourceAsync("update items set span = '30 days' where id = 1; update items set span = '24 hours' where id = 2;");
        var changed = await project.RunAsync();

        (changed.RowsInserted, changed.RowsUpdated).ShouldBe((0L, 2L));
        var current = settings.Contains("scd2", StringComparison.Ordinal) ? " where _wharf_is_current" : "";
        var spans = await project.WarehouseRowsAsync($"select id, cast(span as varchar) from raw.items{current} order by id");
        spans.Select(r => $"{r[0]}: {r[1]}").ShouldBe(["1: 30 days", "2: 24:00:00", "3: 02:00:00"], $"{settings} into {warehouse}");
    }

    [Fact]
    public async Task SourceKeyThatChanged_FailsThePostgresMerge_SayingSo_AndHowToRebuild()
    {
        using var project = await IncrementalProject.CreateAsync(postgres, WarehouseUnderTest.Postgres, """
            create table evo (id int primary key, a int, updated_at timestamptz);
            insert into evo values (1, 1, '2026-01-01 00:00:00+00');
            """);
        project.Configure("mode: merge\ncursor: updated_at", "evo");
        await project.RunAsync();
        await project.ExecuteSourceAsync("""
            alter table evo drop constraint evo_pkey;
            alter table evo add primary key (id, a);
            insert into evo values (1, 5, '2026-01-02 00:00:00+00');
            """);

        var summary = await project.RunRawAsync();

        var error = summary.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull();
        error.ShouldContain("no longer matches the rows' key (id, a)");
        error.ShouldContain("--full-refresh");
        (await project.RunAsync(fullRefresh: true)).RowsLoaded.ShouldBe(2);
    }

    [Theory]
    [InlineData("js", "JSON")]
    [InlineData("nums", "INTEGER[]")]
    public async Task CursorOnAColumnWithoutOrder_FailsTheFirstRun_NamingItsType(string cursor, string type)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, WarehouseUnderTest.DuckDb, """
            create table things (id int primary key, js json, nums int[]);
            insert into things values (1, '{"a": 1}', '{1,2}');
            """);
        project.Configure($"mode: merge\ncursor: {cursor}", "things");

        var summary = await project.RunRawAsync();

        summary.Succeeded.ShouldBeFalse();
        summary.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull().ShouldContain($"The cursor {cursor} of things is a {type} column, whose values have no order");
        (await project.WarehouseScalarAsync("select count(*) from _wharf.state")).ShouldBe(0L, "no watermark is saved");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Scd2_TrackingAColumnTheTableDoesNotHave_FailsTheFirstLoad_NotALaterOne(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'a', 1, '2026-01-01 00:00:00+00');
            """);
        project.Configure("mode: scd2\ncursor: updated_at\ntrack: [nmae]");

        var summary = await project.RunRawAsync();

        summary.Succeeded.ShouldBeFalse();
        summary.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull().ShouldContain("'nmae' is not among the columns of raw.items");
        (await project.WarehouseScalarAsync("select count(*) from _wharf.runs where status = 'succeeded'")).ShouldBe(0L);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task CompositeCursor_UpdatedAtThenId_KeepsTheGreatestTuple_AndLoadsEachRowOnce(WarehouseUnderTest warehouse)
    {
        // Ids 8 to 12 share one updated_at: the watermark's id is 12, the greatest number (not '9', the greatest text).
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items select i, 'row ' || i, i, '2026-01-01 00:00:00+00' from generate_series(8, 12) i;
            """);
        project.Configure("mode: append\ncursor: [updated_at, id]");

        var first = await project.RunAsync();
        var unchanged = await project.RunAsync();
        await project.ExecuteSourceAsync("insert into items values (13, 'row 13', 13, '2026-01-01 00:00:00+00');");
        var third = await project.RunAsync();

        first.WatermarkAfter.ShouldBe("updated_at=2026-01-01 00:00:00.000000+00, id=12");
        (unchanged.RowsExtracted, unchanged.RowsInserted).ShouldBe((1L, 0L), "only the row at the watermark is read again");
        (third.RowsInserted, third.WatermarkAfter).ShouldBe((1L, "updated_at=2026-01-01 00:00:00.000000+00, id=13"));
        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Select(i => i.ToString())], "each row once");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb, true)]
    [InlineData(WarehouseUnderTest.DuckDb, false)]
    [InlineData(WarehouseUnderTest.Postgres, true)]
    [InlineData(WarehouseUnderTest.Postgres, false)]
    public async Task ManyRowsSharingTheWatermark_AcrossChunkBoundaries_AndALaterRowWithThatSameTime_AreEachAppendedExactlyOnce(WarehouseUnderTest warehouse, bool primaryKey)
    {
        // 2,500 rows share the last timestamp and span three 1,000-row chunks; without a key,
        // rows already loaded are recognised by all their values.
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, $"""
            create table events (id int{(primaryKey ? " primary key" : "")}, payload text, updated_at timestamptz);
            insert into events select i, 'early ' || i, timestamptz '2026-02-01 00:00:00+00' - i * interval '1 second' from generate_series(1, 300) i;
            insert into events select i, 'tied ' || i, '2026-02-01 12:00:00+00' from generate_series(301, 2800) i;
            """);
        project.Configure("mode: append\ncursor: updated_at\nchunk_rows: 1000\nfirst_load: chunks", "events");

        var first = await project.RunAsync();

        first.RowsExtracted.ShouldBe(2800);
        first.LakeFiles.Length.ShouldBe(3, "2,800 rows in chunks of 1,000");
        await AssertEventsEqualSourceAsync(project, "after the first run");
        (await project.AuditAsync(first.RunId)).ShouldBe(new AuditRow("succeeded", 2800, 2800, 2800, 0, 0, 0, null, "updated_at=2026-02-01 12:00:00.000000+00"));

        // Committed after the first run, with the very timestamp the watermark holds.
        await project.ExecuteSourceAsync("""
            insert into events values (2801, 'late, same time', '2026-02-01 12:00:00+00'), (2802, 'a microsecond later', '2026-02-01 12:00:00.000001+00');
            """);
        var second = await project.RunAsync();

        await AssertEventsEqualSourceAsync(project, "after the second run");
        (await project.AuditAsync(second.RunId)).ShouldBe(new AuditRow(
            "succeeded", 2502, 2, 2, 0, 0, 2500, "updated_at=2026-02-01 12:00:00.000000+00", "updated_at=2026-02-01 12:00:00.000001+00"));

        var third = await project.RunAsync();

        await AssertEventsEqualSourceAsync(project, "after a third run without changes");
        (await project.AuditAsync(third.RunId)).ShouldBe(new AuditRow(
            "succeeded", 1, 0, 0, 0, 0, 1, "updated_at=2026-02-01 12:00:00.000001+00", "updated_at=2026-02-01 12:00:00.000001+00"));
    }

    /// <summary>
    /// One load of rows on both sides of the watermark: a row past it is known to have changed
    /// (only the table's key is read for it); rows at or before it are compared value by value,
    /// so a changed one is updated and an unchanged one is counted as such.
    /// </summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb, "merge")]
    [InlineData(WarehouseUnderTest.DuckDb, "scd2")]
    [InlineData(WarehouseUnderTest.Postgres, "merge")]
    [InlineData(WarehouseUnderTest.Postgres, "scd2")]
    public async Task RowsPastAndAtTheWatermark_InOneLoad_AreCountedAndWrittenExactly(WarehouseUnderTest warehouse, string mode)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'one', 1, '2026-05-01 11:00:00+00'), (2, 'two', 2, '2026-05-01 12:00:00+00'),
              (3, 'three', 3, '2026-05-01 12:00:00+00'), (4, 'four', 4, '2026-05-01 11:30:00+00');
            """);
        project.Configure($"mode: {mode}\ncursor: updated_at\nlookback: 1h");
        await project.RunAsync();

        // 1 moves past the watermark; 2 changes without moving its cursor (re-read at the
        // watermark); 3 (at the watermark) and 4 (in the lookback) are read again unchanged.
        await project.ExecuteSourceAsync("""
            update items set name = 'one again', updated_at = '2026-05-01 13:00:00+00' where id = 1;
            update items set amount = 20 where id = 2;
            """);
        var second = await project.RunAsync();

        (second.RowsInserted, second.RowsUpdated, second.RowsUnchanged).ShouldBe((0L, 2L, 2L));
        var current = mode == "scd2" ? " where _wharf_is_current" : "";
        (await project.WarehouseRowsAsync($"select id, name, amount from raw.items{current} order by id")).Select(r => string.Join(" | ", r.Select(IncrementalProject.Format)))
            .ShouldBe(["1 | one again | 1", "2 | two | 20", "3 | three | 3", "4 | four | 4"]);
        (await project.WarehouseScalarAsync("select count(*) from raw.items")).ShouldBe(mode == "scd2" ? 6L : 4L, "scd2 keeps the old versions of 1 and 2");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb, "append")]
    [InlineData(WarehouseUnderTest.DuckDb, "merge")]
    [InlineData(WarehouseUnderTest.Postgres, "append")]
    [InlineData(WarehouseUnderTest.Postgres, "merge")]
    public async Task LateRow_CommittedWithAnOlderCursor_IsLoadedWithinTheLookback_AndNeverWhenOlderThanWatermarkMinusLookback(WarehouseUnderTest warehouse, string mode)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'one', 1, '2026-05-01 12:00:00+00'), (2, 'two', 2, '2026-05-01 12:00:00+00');
            """);
        project.Configure($"mode: {mode}\ncursor: updated_at\nlookback: 10m");
        await project.RunAsync();

        // Rows whose transactions committed after the run, stamped before the watermark (12:00):
        // 3 at exactly watermark - lookback (inclusive), 4 inside the window, 5 a microsecond outside it.
        await project.ExecuteSourceAsync("""
            insert into items values
              (3, 'at the edge', 3, '2026-05-01 11:50:00+00'),
              (4, 'inside', 4, '2026-05-01 11:55:00+00'),
              (5, 'outside', 5, '2026-05-01 11:49:59.999999+00');
            """);
        var second = await project.RunAsync();

        var expected = (await SourceItemsAsync(project)).Where(i => i.Id != 5).Select(i => i.ToString()).ToList();
        (await WarehouseItemsAsync(project)).ShouldBe(expected, "rows 3 and 4 arrive once, row 5 (beyond the lookback) never does, 1 and 2 are not duplicated");
        (await project.AuditAsync(second.RunId)).ShouldBe(new AuditRow(
            "succeeded", 4, 2, 2, 0, 0, 2, "updated_at=2026-05-01 12:00:00.000000+00", "updated_at=2026-05-01 12:00:00.000000+00"),
            "the lookback re-reads 1 and 2 without loading them again, and does not move the watermark back");

        var third = await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe(expected, "a run without changes");
        (await project.AuditAsync(third.RunId)).ShouldBe(new AuditRow(
            "succeeded", 4, 0, 0, 0, 0, 4, "updated_at=2026-05-01 12:00:00.000000+00", "updated_at=2026-05-01 12:00:00.000000+00"));
    }

    [Fact]
    public async Task LateRow_OlderThanTheWatermark_WithoutLookback_IsNotLoaded_UntilAFullRefresh()
    {
        using var project = await IncrementalProject.CreateAsync(postgres, WarehouseUnderTest.DuckDb, CreateItems + """
            insert into items values (1, 'one', 1, '2026-05-01 12:00:00+00');
            """);
        project.Configure("mode: append\ncursor: updated_at");
        await project.RunAsync();
        await project.ExecuteSourceAsync("insert into items values (2, 'late', 2, '2026-05-01 11:59:59.999999+00');");

        await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe(["id=1 name=one amount=1 updated_at=2026-05-01 12:00:00.000000"]);

        var refresh = await project.RunAsync(fullRefresh: true);

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Select(i => i.ToString())]);
        refresh.WatermarkBefore.ShouldBeNull();
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task NumericCursor_WatermarkIsTheGreatestNumber_SoARunWithoutChangesAppendsNothing(WarehouseUnderTest warehouse)
    {
        // 10 is the greatest number but not the greatest text ('9' > '10').
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, """
            create table seqs (id int primary key, seq bigint not null, label text);
            insert into seqs select i, i, 'row ' || i from generate_series(1, 10) i;
            """);
        project.Configure("mode: append\ncursor: seq", "seqs");

        var first = await project.RunAsync();
        var second = await project.RunAsync();

        first.WatermarkAfter.ShouldBe("seq=10");
        (await project.WarehouseRowsAsync("select id from raw.seqs order by id")).Select(r => (long)r[0]!).ShouldBe([1L, 2, 3, 4, 5, 6, 7, 8, 9, 10], "each row once");
        (await project.AuditAsync(second.RunId)).ShouldBe(new AuditRow("succeeded", 1, 0, 0, 0, 0, 1, "seq=10", "seq=10"), "only the boundary row is read again, and not loaded");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task TimestamptzCursor_ThatReachesInfinity_IsAWatermarkTheNextRunsRead(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, """
            create table ends (id int primary key, ends_at timestamptz not null);
            insert into ends values (1, '2024-01-01 00:00:00+00'), (2, 'infinity');
            """);
        project.Configure("mode: merge\ncursor: ends_at", "ends");

        var first = await project.RunAsync();
        await project.ExecuteSourceAsync("insert into ends values (3, 'infinity');");
        var second = await project.RunAsync();
        var third = await project.RunAsync();

        first.WatermarkAfter.ShouldBe("ends_at=infinity");
        (second.RowsInserted, second.WatermarkAfter).ShouldBe((1L, "ends_at=infinity"));
        (third.RowsInserted, third.RowsUnchanged).ShouldBe((0L, 2L), "the rows at infinity are read again, and not loaded twice");
        (await project.WarehouseRowsAsync("select id from raw.ends order by id")).Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)).ShouldBe([1L, 2, 3]);
    }

    [Fact]
    public async Task NumericCursor_WithANumericLookback_ReReadsThatFarBack()
    {
        // Two-digit values only, so the watermark is right whether it is taken as a number or as text.
        using var project = await IncrementalProject.CreateAsync(postgres, WarehouseUnderTest.DuckDb, """
            create table seqs (id int primary key, seq bigint not null, label text);
            insert into seqs select i, i, 'row ' || i from generate_series(11, 20) i;
            """);
        project.Configure("mode: append\ncursor: seq\nlookback: 5", "seqs");
        await project.RunAsync();
        await project.ExecuteSourceAsync("insert into seqs values (21, 15, 'late, at watermark - 5'), (22, 14, 'late, beyond the lookback');");

        var second = await project.RunAsync();

        (await project.WarehouseRowsAsync("select id from raw.seqs order by id")).Select(r => (long)r[0]!).ShouldBe([.. Enumerable.Range(11, 11).Select(i => (long)i)]);
        (await project.AuditAsync(second.RunId)).ShouldBe(new AuditRow("succeeded", 7, 1, 1, 0, 0, 6, "seq=20", "seq=20"));
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb, "America/Sao_Paulo")]
    [InlineData(WarehouseUnderTest.Postgres, "America/Sao_Paulo")]
    [InlineData(WarehouseUnderTest.DuckDb, "Asia/Kathmandu")]
    [InlineData(WarehouseUnderTest.Postgres, "Asia/Kathmandu")]
    public async Task TimestamptzCursor_WhileTheSourceSessionIsInAnotherTimeZone_LoadsExactlyTheRowsPastTheWatermark(WarehouseUnderTest warehouse, string zone)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values
              (1, 'local: the day before', 1, '2026-03-01 02:30:00+00'),
              (2, 'the watermark', 2, '2026-03-01 02:59:59.999999+00');
            """, timeZone: zone);
        (await project.SourceRowsAsync("show timezone")).ShouldHaveSingleItem()[0].ShouldBe(zone, "the source's sessions must really run in the zone");
        project.Configure("mode: append\ncursor: updated_at");

        var first = await project.RunAsync();

        first.WatermarkAfter.ShouldBe("updated_at=2026-03-01 02:59:59.999999+00", "the watermark is kept in UTC");
        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Select(i => i.ToString())]);

        // A bound read in the session's zone instead of UTC would be off by the zone's offset
        // (-03:00 or +05:45): rows 3 and 5 would be missed, or rows 4 and 6 loaded.
        await project.ExecuteSourceAsync("""
            insert into items values
              (3, 'a microsecond past', 3, '2026-03-01 03:00:00+00'),
              (4, 'an hour before: late', 4, '2026-03-01 01:59:59.999999+00'),
              (5, 'past by the Sao Paulo offset', 5, '2026-03-01 05:59:59.999999+00'),
              (6, 'before by the Kathmandu offset: late', 6, '2026-02-28 21:14:59.999999+00');
            """);
        var second = await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Where(i => i.Id is not (4 or 6)).Select(i => i.ToString())]);
        (await project.AuditAsync(second.RunId)).ShouldBe(new AuditRow(
            "succeeded", 3, 2, 2, 0, 0, 1, "updated_at=2026-03-01 02:59:59.999999+00", "updated_at=2026-03-01 05:59:59.999999+00"));
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task NullCursorRows_AreLoadedByTheFirstRunOnly(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'undated', 1, null), (2, 'undated too', 2, null), (3, 'dated', 3, '2026-01-01 10:00:00+00');
            """);
        project.Configure("mode: append\ncursor: updated_at");

        var first = await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Select(i => i.ToString())]);
        first.WatermarkAfter.ShouldBe("updated_at=2026-01-01 10:00:00.000000+00", "NULLs do not move the watermark");

        await project.ExecuteSourceAsync("insert into items values (4, 'undated, later', 4, null), (5, 'dated, later', 5, '2026-01-02 10:00:00+00');");
        var second = await project.RunAsync();
        var third = await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Where(i => i.Id != 4).Select(i => i.ToString())],
            "1 and 2 once, 4 never (a NULL cursor is not >= any watermark)");
        (second.RowsExtracted, second.RowsInserted).ShouldBe((2L, 1L));
        (third.RowsExtracted, third.RowsInserted).ShouldBe((1L, 0L));
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task NullCursorRows_WhenTheFirstRunSeesOnlyNulls_AreNotLoadedAgain(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'undated', 1, null), (2, 'undated too', 2, null);
            """);
        project.Configure("mode: append\ncursor: updated_at");
        var first = await project.RunAsync();
        first.WatermarkAfter.ShouldBeNull("no row has a cursor value yet");

        await project.ExecuteSourceAsync("insert into items values (3, 'dated', 3, '2026-01-01 10:00:00+00');");
        var second = await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Select(i => i.ToString())],
            "rows with a NULL cursor are loaded by the first run only: the second run must not append 1 and 2 again");
        second.RowsInserted.ShouldBe(1);
    }

    [Fact]
    public async Task NotNullCursor_IsReadInItsIndexOrder_WithoutSortingTheTable()
    {
        // With sorting priced out, the source can only avoid a sort by reading the cursor's index;
        // NULLS FIRST on a NOT NULL column would not match the index (ascending, NULLs last).
        using var project = await IncrementalProject.CreateAsync(postgres, WarehouseUnderTest.DuckDb, """
            create table items (id int primary key, name text, amount numeric(12,2), updated_at timestamptz not null);
            create index items_updated_at on items (updated_at);
            insert into items select i, 'item ' || i, i, timestamptz '2026-01-01 00:00:00+00' + (1000 - i) * interval '1 second' from generate_series(1, 1000) as i;
            analyze items;
            """);
        await project.ExecuteSourceAsync($"""alter database "{project.Source.Name}" set enable_sort = off""");
        Npgsql.NpgsqlConnection.ClearAllPools(); // sessions opened before take no new default
        project.Configure("mode: merge\ncursor: updated_at\nfirst_load: chunks");

        var run = await project.RunAsync();

        run.RowsInserted.ShouldBe(1000);
        run.WatermarkAfter.ShouldBe("updated_at=2026-01-01 00:16:39.000000+00");
        // A session reports its statistics when it ends: end the run's pooled ones, then wait a little.
        await project.SourceRowsAsync("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
        long scans = 0;
        for (var wait = 0; wait < 50 && scans == 0; wait++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            scans = Convert.ToInt64((await project.SourceRowsAsync("select idx_scan from pg_stat_user_indexes where indexrelname = 'items_updated_at'")).ShouldHaveSingleItem()[0]);
        }

        scans.ShouldBeGreaterThan(0, "the cursor extract reads the rows in the index's order");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Initial_SkipsRowsBeforeIt_OnTheFirstRun_AndAfter(WarehouseUnderTest warehouse)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values
              (1, 'a microsecond before', 1, '2025-12-31 23:59:59.999999+00'),
              (2, 'exactly initial', 2, '2026-01-01 00:00:00+00'),
              (3, 'later', 3, '2026-01-05 00:00:00+00'),
              (4, 'undated', 4, null);
            """, timeZone: "UTC");
        project.Configure("mode: merge\ncursor: updated_at\ninitial: '2026-01-01'");

        var first = await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Where(i => i.Id is 2 or 3).Select(i => i.ToString())]);
        (first.WatermarkBefore, first.WatermarkAfter).ShouldBe((null, "updated_at=2026-01-05 00:00:00.000000+00"));

        await project.ExecuteSourceAsync("insert into items values (5, 'old, late', 5, '2025-06-01 00:00:00+00'), (6, 'new', 6, '2026-01-06 00:00:00+00');");
        await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Where(i => i.Id is 2 or 3 or 6).Select(i => i.ToString())]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb, "mode: append\ncursor: updated_at")]
    [InlineData(WarehouseUnderTest.Postgres, "mode: append\ncursor: updated_at")]
    [InlineData(WarehouseUnderTest.DuckDb, "mode: merge\ncursor: updated_at")]
    [InlineData(WarehouseUnderTest.Postgres, "mode: merge\ncursor: updated_at")]
    [InlineData(WarehouseUnderTest.DuckDb, "mode: scd2\ncursor: updated_at")]
    [InlineData(WarehouseUnderTest.Postgres, "mode: scd2\ncursor: updated_at")]
    [InlineData(WarehouseUnderTest.DuckDb, "mode: merge\nchange_detection: hash")]
    [InlineData(WarehouseUnderTest.Postgres, "mode: merge\nchange_detection: hash")]
    public async Task FullRefresh_RebuildsTheTableFromTheSource_AndResetsTheWatermark(WarehouseUnderTest warehouse, string settings)
    {
        var cursor = settings.Contains("cursor", StringComparison.Ordinal);
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, CreateItems + """
            insert into items values (1, 'a', 1, '2026-01-01 10:00:00+00'), (2, 'b', 2, '2026-01-01 11:00:00+00'), (3, 'c', 3, '2026-01-01 15:00:00+00');
            """);
        project.Configure(settings);
        await project.RunAsync();

        // Leave history behind: appended versions, SCD2 versions, a row deleted in the source that
        // a cursor without detect_deletes keeps. Then the newest row goes and an older one comes.
        await project.ExecuteSourceAsync("update items set name = 'b2', updated_at = '2026-01-01 16:00:00+00' where id = 2; delete from items where id = 3;");
        await project.RunAsync();
        await project.ExecuteSourceAsync("delete from items where id = 2; insert into items values (4, 'd', 4, '2026-01-01 13:00:00+00');");

        var refresh = await project.RunAsync(fullRefresh: true);

        var rows = await project.WarehouseRowsAsync("select id, name, amount, updated_at, _wharf_run_id from raw.items order by id");
        rows.Select(r => $"{Item.From(r)} by {(r[4] as string == refresh.RunId ? "the refresh" : r[4])}").ToList()
            .ShouldBe([.. (await SourceItemsAsync(project)).Select(i => $"{i} by the refresh")], "the table is rebuilt from the source alone");
        if (settings.Contains("scd2", StringComparison.Ordinal))
        {
            (await project.WarehouseRowsAsync("select count(*) from raw.items where _wharf_is_current and _wharf_valid_to is null")).ShouldHaveSingleItem()[0].ShouldBe(2L);
        }

        (refresh.WatermarkBefore, refresh.WatermarkAfter).ShouldBe(cursor ? (null, "updated_at=2026-01-01 13:00:00.000000+00") : (null, null),
            "the saved watermark (16:00) is ignored and replaced by what the refresh loaded");
        (refresh.RowsInserted, refresh.RowsUpdated, refresh.RowsDeleted).ShouldBe((2L, 0L, 0L));
        (await project.StateWatermarkAsync()).ShouldBe(cursor ? "updated_at=2026-01-01 13:00:00.000000+00" : null);

        // A row between the new watermark and the old one: only a reset watermark lets it in.
        await project.ExecuteSourceAsync("insert into items values (5, 'e', 5, '2026-01-01 14:00:00+00');");
        var after = await project.RunAsync();

        (await WarehouseItemsAsync(project)).ShouldBe([.. (await SourceItemsAsync(project)).Select(i => i.ToString())]);
        after.RowsInserted.ShouldBe(1);
        after.WatermarkBefore.ShouldBe(cursor ? "updated_at=2026-01-01 13:00:00.000000+00" : null);
    }

    /// <summary>
    /// A first merge load goes chunk by chunk straight into the empty table when a chunk's keys
    /// are present and distinct; a chunk where a key repeats keeps its latest version, as every
    /// merge does, and a NULL key fails the run with nothing loaded.
    /// </summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task FirstMergeLoad_InChunks_DistinctKeysGoStraightIn_ARepeatedKeyKeepsItsLatestVersion_ANullKeyFails(WarehouseUnderTest warehouse)
    {
        // No primary key in the source: ids 1,500 and 2,500 come twice (the second time later, in
        // the same 1,000-row chunk), and a row without an id comes first.
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, """
            create table events (id int, payload text, updated_at timestamptz);
            insert into events select i, 'row ' || i, timestamptz '2026-03-01 00:00:00+00' + i * interval '1 second' from generate_series(1, 3000) i;
            insert into events values (1500, 'row 1500 again', '2026-03-01 00:25:00.5+00'), (2500, 'row 2500 again', '2026-03-01 00:41:40.5+00');
            insert into events values (null, 'no key', '2026-03-01 00:00:00.5+00');
            """);
        project.Configure("mode: merge\nprimary_key: [id]\ncursor: updated_at\nchunk_rows: 1000", "events");

        var failed = await project.RunRawAsync();

        failed.Succeeded.ShouldBeFalse();
        failed.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull().ShouldContain("NULL in the primary key");
        (await project.WarehouseScalarAsync("select count(*) from _wharf.state where pipeline = 'items'")).ShouldBe(0L, "the first chunk failed: nothing committed");

        await project.ExecuteSourceAsync("delete from events where id is null");
        var first = await project.RunAsync();

        first.LakeFiles.Length.ShouldBe(4, "3,002 rows in chunks of 1,000");
        // The two versions that a later one replaced were extracted and not written: unchanged.
        (await project.AuditAsync(first.RunId)).ShouldBe(new AuditRow("succeeded", 3002, 3000, 3000, 0, 0, 2, null, "updated_at=2026-03-01 00:50:00.000000+00"));
        (await project.WarehouseRowsAsync("select id, payload from raw.events where id in (1499, 1500, 2500) order by id")).Select(r => $"{r[0]} {r[1]}")
            .ShouldBe(["1499 row 1499", "1500 row 1500 again", "2500 row 2500 again"]);
        (await project.WarehouseScalarAsync("select count(distinct id) || ' ' || count(*) || ' ' || sum(id) from raw.events")).ShouldBe("3000 3000 4501500");
    }

    /// <summary>
    /// A merge chunk whose integer keys are all above the table's goes straight in (nothing can
    /// match); one whose lowest key is the table's highest, or that repeats a key, is merged: the
    /// boundary key is updated, not doubled, and a repeated key keeps its latest version. Soft-deleted
    /// rows count as held by the table.
    /// </summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb, "")]
    [InlineData(WarehouseUnderTest.Postgres, "")]
    [InlineData(WarehouseUnderTest.DuckDb, "detect_deletes: true\ndeletes: soft")]
    [InlineData(WarehouseUnderTest.Postgres, "detect_deletes: true\ndeletes: soft")]
    public async Task MergeOfKeysAboveTheTables_AreInserted_TheBoundaryKeyIsUpdated_ARepeatedKeyKeepsItsLatestVersion(WarehouseUnderTest warehouse, string deletes)
    {
        using var project = await IncrementalProject.CreateAsync(postgres, warehouse, """
            create table events (id bigint, payload text, updated_at timestamptz);
            insert into events select i, 'row ' || i, timestamptz '2026-03-01 00:00:00+00' + i * interval '1 second' from generate_series(1, 3000) i;
            """);
        project.Configure($"mode: merge\nprimary_key: [id]\ncursor: updated_at\nchunk_rows: 1000\n{deletes}", "events");
        await project.RunAsync();

        // Only new ids, in four chunks: the first starts with the last run's boundary row, in the table.
        await project.ExecuteSourceAsync("insert into events select i, 'row ' || i, timestamptz '2026-03-02 00:00:00+00' + i * interval '1 second' from generate_series(3001, 6000) i");
        var inserts = await project.RunAsync();
        (await project.AuditAsync(inserts.RunId)).ShouldBe(new AuditRow("succeeded", 3001, 3000, 3000, 0, 0, 1, "updated_at=2026-03-01 00:50:00.000000+00", "updated_at=2026-03-02 01:40:00.000000+00"));
        await AssertEventsEqualSourceAsync(project, "after the inserts");

        // The table's highest id changes, with new ones after it: one chunk that starts at the table's top.
        await project.ExecuteSourceAsync("""
            update events set payload = 'row 6000 changed', updated_at = '2026-03-03 00:00:00+00' where id = 6000;
            insert into events values (6001, 'row 6001', '2026-03-03 00:00:01+00'), (6002, 'row 6002', '2026-03-03 00:00:02+00');
            """);
        var boundary = await project.RunAsync();
        (boundary.RowsInserted, boundary.RowsUpdated).ShouldBe((2L, 1L));

        // New ids only, one of them twice.
        await project.ExecuteSourceAsync("insert into events values (7000, 'first', '2026-03-03 00:00:03+00'), (7000, 'latest', '2026-03-03 00:00:04+00')");
        var repeated = await project.RunAsync();
        repeated.RowsInserted.ShouldBe(1);
        (await project.WarehouseRowsAsync("select id, payload from raw.events where id >= 6000 order by id")).Select(r => $"{r[0]} {r[1]}")
            .ShouldBe(["6000 row 6000 changed", "6001 row 6001", "6002 row 6002", "7000 latest"]);
        (await project.WarehouseScalarAsync("select count(distinct id) || ' ' || count(*) from raw.events")).ShouldBe("6003 6003");

        // A soft-deleted id at the top of the table is held by it: its return is an update, not a second row.
        if (deletes.Length > 0)
        {
            await project.ExecuteSourceAsync("delete from events where id = 7000");
            (await project.RunAsync()).RowsDeleted.ShouldBe(1);
            await project.ExecuteSourceAsync("insert into events values (7000, 'back', '2026-03-04 00:00:00+00'), (7001, 'after it', '2026-03-04 00:00:01+00')");
            var back = await project.RunAsync();
            (back.RowsInserted, back.RowsUpdated).ShouldBe((1L, 1L));
            (await project.WarehouseRowsAsync("select id, payload, _wharf_deleted_at is null from raw.events where id >= 7000 order by id")).Select(r => $"{r[0]} {r[1]} {r[2]}")
                .ShouldBe(["7000 back True", "7001 after it True"]);
        }
    }

    private static async Task AssertEventsEqualSourceAsync(IncrementalProject project, string because)
    {
        static List<string> Text(List<object?[]> rows) => [.. rows.Select(r => string.Join(" | ", r.Select(IncrementalProject.Format)))];
        var source = Text(await project.SourceRowsAsync("select id, payload, updated_at from events order by id"));
        var table = Text(await project.WarehouseRowsAsync("select id, payload, updated_at from raw.events order by id, payload"));
        table.Count.ShouldBe(source.Count, $"{because}: as many rows as the source, no duplicates");
        table.ShouldBe(source, because);
    }

    /// <summary>raw.items as text, one line per row, by id and cursor.</summary>
    private static async Task<List<string>> WarehouseItemsAsync(IncrementalProject project) =>
        [.. (await project.WarehouseRowsAsync("select id, name, amount, updated_at from raw.items order by id, updated_at")).Select(r => Item.From(r).ToString())];

    private static async Task<List<Item>> SourceItemsAsync(IncrementalProject project) =>
        [.. (await project.SourceRowsAsync("select id, name, amount, updated_at from items order by id")).Select(Item.From)];

    /// <summary>Every row and column of raw.items, as sorted text.</summary>
    private static async Task<List<string>> AllRowsAsync(IncrementalProject project, string table = "raw.items") =>
        [.. (await project.WarehouseRowsAsync($"select * from {table}")).Select(r => string.Join(" | ", r.Select(IncrementalProject.Format))).Order(StringComparer.Ordinal)];

    private static async Task AssertTableAsync(IncrementalProject project, ItemHistory history, Shape shape, string because)
    {
        const string columns = "id, name, amount, updated_at, _wharf_run_id, _wharf_loaded_at";
        string Row(object?[] r) => $"{Item.From(r)} by {history.Name((string?)r[4])}";
        void LoadedAtIsTheRunStart(List<object?[]> rows)
        {
            foreach (var r in rows)
            {
                var run = history.IndexOf((string)r[4]!);
                run.ShouldBeGreaterThanOrEqualTo(0, $"{because}: row {Item.From(r)} names run {r[4]}, which is none of this test's runs");
                r[5].ShouldBe(history.StartOf(run), $"{because}: _wharf_loaded_at of row {Item.From(r)} is the start of {history.Name((string)r[4]!)}");
            }
        }

        switch (shape)
        {
            case Shape.Append:
            {
                var rows = await project.WarehouseRowsAsync($"select {columns} from raw.items order by id, updated_at");
                rows.Select(Row).ToList().ShouldBe(history.Appended(), $"{because}: append keeps every version once, loaded by the run that first saw it");
                LoadedAtIsTheRunStart(rows);
                break;
            }

            case Shape.Merge:
            {
                var rows = await project.WarehouseRowsAsync($"select {columns} from raw.items order by id");
                rows.Select(Row).ToList().ShouldBe(history.Merged(), $"{because}: merge holds the source's rows, each written by the run that saw its values first");
                LoadedAtIsTheRunStart(rows);
                break;
            }

            case Shape.SoftMerge:
            {
                var active = await project.WarehouseRowsAsync($"select {columns} from raw.items where _wharf_deleted_at is null order by id");
                active.Select(Row).ToList().ShouldBe(history.Merged(), $"{because}: rows not soft-deleted are the source's rows");
                var deleted = await project.WarehouseRowsAsync($"select {columns}, _wharf_deleted_at from raw.items where _wharf_deleted_at is not null order by id");
                deleted.Select(r => $"{Row(r)} deleted at {IncrementalProject.Format(r[6])}").ToList()
                    .ShouldBe(history.SoftDeleted(), $"{because}: keys gone from the source stay with their last values, _wharf_deleted_at = the start of the run that saw them gone");
                LoadedAtIsTheRunStart([.. active, .. deleted]);
                break;
            }

            case Shape.Scd2:
            {
                var rows = await project.WarehouseRowsAsync($"select {columns}, _wharf_valid_from, _wharf_valid_to, _wharf_is_current from raw.items order by id, _wharf_valid_from");
                var current = rows.Where(r => r[8] is true).Select(r => Item.From(r).ToString()).ToList();
                current.ShouldBe([.. history.Current.OrderBy(i => i.Id).Select(i => i.ToString())], $"{because}: the current versions are the source's rows");
                foreach (var key in rows.GroupBy(r => (long)r[0]!))
                {
                    var versions = key.ToList();
                    for (var i = 0; i + 1 < versions.Count; i++)
                    {
                        ((DateTime?)versions[i][7]).ShouldNotBeNull($"{because}: only the last version of key {key.Key} may be open");
                        ((DateTime)versions[i][7]!).ShouldBeLessThanOrEqualTo((DateTime)versions[i + 1][6]!, $"{because}: versions of key {key.Key} must not overlap");
                    }
                }

                rows.Select(r => $"{Row(r)} valid_from={IncrementalProject.Format(r[6])} valid_to={IncrementalProject.Format(r[7])} current={IncrementalProject.Format(r[8])}").ToList()
                    .ShouldBe(history.Versions(), $"{because}: one version per distinct state of each key; a change closes the version when the next opens (valid_to = its valid_from), a delete closes it at the deleting run's start");
                LoadedAtIsTheRunStart(rows);
                break;
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(shape));
        }
    }
}
