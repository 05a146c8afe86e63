using Microsoft.Extensions.Logging;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Sources;

namespace Wharf.IntegrationTests.Warehouses;

/// <summary>
/// A <c>mode: replace</c> from PostgreSQL into a PostgreSQL warehouse builds the new table while
/// the source is read, part by part (25,000 rows in parts of 10,000 here), and swaps it in at the
/// stream's commit: the result is exactly the source, a run that dies in between leaves the old
/// table whole, and a part that fails a check makes the run fail as it would have without the head start.
/// </summary>
public sealed class ReplaceAheadTests(PostgresServer postgres) : IDisposable
{
    private const int Rows = 25_000;
    private const string Stopped = "building the new table while the source was read stopped";

    private readonly PipelineHarness harness = new();
    private readonly LogLines log = new();
    private TestDatabase source = null!;
    private TestDatabase warehouse = null!;

    public void Dispose() => harness.Dispose();

    /// <summary>A fingerprint of a table's rows: count, sums and a hash of every value in key order.</summary>
    private static Task<object?> FingerprintAsync(TestDatabase database, string table) => database.ScalarAsync(
        $"select count(*) || ':' || coalesce(sum(id), 0) || ':' || coalesce(sum(code), 0) || ':' || md5(coalesce(string_agg(id || '/' || code || '/' || coalesce(note, '∅'), ',' order by id), '')) from {table}");

    /// <summary>
    /// The source's orders (ids 1 to 25,000, <c>code</c> = id mod 10,000, so each part's codes are
    /// distinct and repeat across parts) and a pipeline that writes parts of 10,000 rows (the
    /// smallest: many extractions share the row budget).
    /// </summary>
    private async Task ProjectAsync(string rules = "")
    {
        var ct = TestContext.Current.CancellationToken;
        source = await postgres.CreateDatabaseAsync(ct);
        warehouse = await postgres.CreateDatabaseAsync(ct);
        await source.ScalarAsync($"""
            create table orders (id int primary key, code int not null, note text);
            insert into orders select i, i % 10000, 'note ' || i from generate_series(1, {Rows}) i;
            select 1
            """);
        harness.Logger = log;
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              db: { type: postgres, url: "{{source.Url}}" }
            pipelines:
              sync:
                source: db
                tables: ["public.orders"]
                schema: raw
                mode: replace
                parallel: 64

            """ + rules);
    }

    private IEnumerable<string> Said(string text) => log.Lines.Where(l => l.Text.Contains(text, StringComparison.Ordinal)).Select(l => l.Text);

    [Fact]
    public async Task Replace_EndsWithExactlyTheSource_RunAfterRun()
    {
        await ProjectAsync();
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        (await FingerprintAsync(warehouse, "raw.orders")).ShouldBe(await FingerprintAsync(source, "orders"));

        await source.ScalarAsync("delete from orders where id % 7 = 0; update orders set note = null, code = -code where id % 11 = 0; insert into orders values (30000, 1, 'new'); select 1");
        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(summary.Streams[0].Error);
        (await FingerprintAsync(warehouse, "raw.orders")).ShouldBe(await FingerprintAsync(source, "orders"));
        var rows = (long)(await source.ScalarAsync("select count(*) from orders"))!;
        (await warehouse.ScalarAsync("select rows_extracted || ':' || rows_loaded || ':' || array_length(lake_files, 1) from _wharf.runs order by started_at desc limit 1"))
            .ShouldBe($"{rows}:{rows}:3");
        (await warehouse.ScalarAsync("select count(*) from raw.orders where _wharf_run_id = (select run_id from _wharf.runs order by started_at desc limit 1)")).ShouldBe(rows);
        (await warehouse.ScalarAsync("select count(*) from pg_tables where tablename like '%wharf_new%'")).ShouldBe(0L);
        Said(Stopped).ShouldBeEmpty();
    }

    [Fact]
    public async Task KilledAfterAPartIsInTheNewTable_TheOldTableStaysWhole_AndTheNextRunLoadsTheSource()
    {
        var ct = TestContext.Current.CancellationToken;
        await ProjectAsync();
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var before = await FingerprintAsync(warehouse, "raw.orders");
        await source.ScalarAsync("update orders set note = 'changed' where id % 3 = 0; select 1");

        // The fail point is reached only by a part loaded while the source is still read.
        using (var child = WharfChild.Start(harness.Root, "replace.part-loaded:2", ct, "run"))
        {
            var killed = await child.WaitAsync(ct);
            killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        }

        (await FingerprintAsync(warehouse, "raw.orders")).ShouldBe(before);
        (await warehouse.ScalarAsync("select count(*) from pg_tables where tablename like '%wharf_new%'")).ShouldBe(0L);
        (await warehouse.ScalarAsync("select count(*) from _wharf.runs where status = 'succeeded'")).ShouldBe(1L);

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        (await FingerprintAsync(warehouse, "raw.orders")).ShouldBe(await FingerprintAsync(source, "orders"));
    }

    [Fact]
    public async Task APartFailingACheck_FailsTheRunAsWithoutTheHeadStart_CountingEveryPart()
    {
        await ProjectAsync("""
                checks:
                  - not_null: [note]
            """);
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var before = await FingerprintAsync(warehouse, "raw.orders");

        // 250 NULLs in the second part and 250 in the third: the message counts all 500.
        await source.ScalarAsync("update orders set note = null where id between 15001 and 15250 or id between 22001 and 22250; select 1");
        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams[0].Error.ShouldNotBeNull();
        error.ShouldContain("failed on raw.orders");
        error.ShouldContain("500");
        error.ShouldContain("Nothing was loaded.");
        (await FingerprintAsync(warehouse, "raw.orders")).ShouldBe(before);
        (await warehouse.ScalarAsync("select count(*) from pg_tables where tablename like '%wharf_new%'")).ShouldBe(0L);
        Said(Stopped).ShouldHaveSingleItem().ShouldContain("not_null");
        log.Lines.Where(l => l.Text.Contains(Stopped, StringComparison.Ordinal)).ShouldAllBe(l => l.Level == LogLevel.Information);
    }

    [Fact]
    public async Task AKeyRepeatedOnlyAcrossParts_FailsTheUniqueCheck_AndNothingIsLoaded()
    {
        await ProjectAsync("""
                checks:
                  - unique: id
            """);
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var before = await FingerprintAsync(warehouse, "raw.orders");

        // Each part's codes are distinct; 15,000 of them repeat in another part.
        harness.WithProject(File.ReadAllText(Path.Combine(harness.Root, "wharf.yml")).Replace("unique: id", "unique: code", StringComparison.Ordinal));
        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams[0].Error.ShouldNotBeNull();
        error.ShouldContain("unique");
        error.ShouldContain("Nothing was loaded.");
        error.ShouldNotContain("chunks are committed");
        (await FingerprintAsync(warehouse, "raw.orders")).ShouldBe(before);
        (await warehouse.ScalarAsync("select count(*) from pg_tables where tablename like '%wharf_new%'")).ShouldBe(0L);
        Said(Stopped).ShouldBeEmpty();
    }

    [Fact]
    public async Task FullRefresh_UnderAFrozenContract_TakesTheSourcesNewColumns_WithTheHeadStart()
    {
        await ProjectAsync("""
                schema_contract: { columns: freeze }
            """);
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        await source.ScalarAsync("alter table orders drop column note, add column extra text default 'x'; select 1");
        (await harness.RunAsync()).Succeeded.ShouldBeFalse("the contract keeps the table's columns without --full-refresh");
        var before = log.Lines.Count;

        var summary = await harness.RunAsync(fullRefresh: true);

        summary.Succeeded.ShouldBeTrue(summary.Streams[0].Error);
        (await warehouse.ScalarAsync("select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'raw' and table_name = 'orders'"))
            .ShouldBe("id,code,extra,_wharf_run_id,_wharf_loaded_at");
        (await warehouse.ScalarAsync("select count(*) || ':' || count(*) filter (where extra = 'x') from raw.orders")).ShouldBe($"{Rows}:{Rows}");
        log.Lines.Skip(before).Where(l => l.Text.Contains(Stopped, StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task RowsFailingAQuarantineCheck_AreSetAsidePartByPart_AndCountedOnce()
    {
        await ProjectAsync("""
                on_check_failure: quarantine
                checks:
                  - not_null: [note]
            """);
        await source.ScalarAsync("update orders set note = null where id % 50 = 0; select 1");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(summary.Streams[0].Error);
        summary.Streams[0].RowsQuarantined.ShouldBe(Rows / 50);
        summary.Streams[0].RowsLoaded.ShouldBe(Rows - (Rows / 50));
        (await FingerprintAsync(warehouse, "raw.orders")).ShouldBe(await FingerprintAsync(source, "orders where note is not null"));
        (await warehouse.ScalarAsync("select count(*) from raw.orders__quarantine")).ShouldBe((long)(Rows / 50));
        (await warehouse.ScalarAsync("select rows_quarantined from _wharf.runs")).ShouldBe((long)(Rows / 50));
        Said(Stopped).ShouldBeEmpty();
    }
}
