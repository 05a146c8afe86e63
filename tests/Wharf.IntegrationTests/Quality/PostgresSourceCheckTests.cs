using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Quality;

/// <summary>
/// Checks on rows that come from a PostgreSQL source (<c>tables:</c> with <c>per_table:</c>
/// checks, <c>query:</c>, cursor streams committed chunk by chunk), into both warehouses.
/// </summary>
public sealed class PostgresSourceCheckTests(PostgresServer postgres)
{
    private const string Shop = """
        create table customers (id int primary key, email text);
        create table orders (id int primary key, customer_id int references customers (id), amount numeric(10, 2));
        insert into customers values (1, 'a@x.io'), (2, null), (3, 'c@x.io'), (4, 'not-an-email');
        insert into orders values (10, 1, 5.00), (11, 2, 6.00), (12, 3, -1.00), (13, null, 7.00), (14, 4, 8.00), (15, 3, 9.00);
        """;

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task TablesPipeline_PerTableChecks_OrdersOfAQuarantinedCustomerAreQuarantinedToo(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse, Shop);
        project.Pipelines("""
            shop:
              source: src
              tables: [customers, orders]
              schema: raw
              on_check_failure: quarantine
              per_table:
                customers:
                  checks:
                    - not_null: [email]
                    - regex: { column: email, pattern: "^[^@]+@[^@]+$" }
                orders:
                  checks:
                    - relationships: { column: customer_id, to: customers, field: id }
                    - range: { column: amount, min: 0 }
            """);

        var summary = await project.RunOkAsync();

        // Customers load first (foreign-key order): 2 and 4 are set aside, so orders 11 and 14 point nowhere.
        (await project.IdsAsync("raw.customers")).ShouldBe([1, 3]);
        (await project.RowsAsync("select id, _wharf_check from raw.customers__quarantine order by id")).ShouldBe(["2 | not_null(email)", "4 | regex(email)"]);
        (await project.IdsAsync("raw.orders")).ShouldBe([10, 13, 15]);
        (await project.RowsAsync("select id, customer_id, _wharf_check, _wharf_reason from raw.orders__quarantine order by id")).ShouldBe([
            "11 | 2 | relationships(customer_id → customers) | customer_id has no match in customers.id",
            "12 | 3 | range(amount) | amount is outside [0, ∞]",
            "14 | 4 | relationships(customer_id → customers) | customer_id has no match in customers.id",
        ]);
        var orders = summary.Streams.Single(s => s.Target == "raw.orders");
        (await project.CheckResultsAsync(orders.RunId, "raw.orders")).ShouldBe([
            "range(amount) | range | error | quarantined | 1 | 6 | 1 of 6 rows: amount is outside [0, ∞]",
            "relationships(customer_id → customers) | relationships | error | quarantined | 2 | 6 | 2 of 6 rows: customer_id has no match in customers.id",
        ]);
        (await project.CheckResultsAsync(orders.RunId, "raw.customers")).ShouldBe([
            "not_null(email) | not_null | error | quarantined | 1 | 4 | 1 of 4 rows: email is NULL",
            "regex(email) | regex | error | quarantined | 1 | 4 | 1 of 4 rows: email does not match ^[^@]+@[^@]+$",
        ]);
        orders.RowsQuarantined.ShouldBe(3);

        // What was loaded meets every check, table by table.
        var check = await project.CliAsync("check", "shop", "--format", "json");
        check.ExitCode.ShouldBe(0, check.ToString());
        (await project.RowsAsync("select target, status from _wharf.runs where mode = 'check' order by target"))
            .ShouldBe(["raw.customers | succeeded", "raw.orders | succeeded"]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task QueryPipeline_IsChecked_AndRelationshipsCompareValuesAsText(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse, """
            create table codes (code text, label text);
            insert into codes values ('1', 'one'), ('2', 'two'), ('03', 'three'), ('x1', 'bad'), (null, 'none');
            """);

        // The CSV's codes are integers: 3 reads as '3', which is not the text '03'.
        project.File("items.csv", "id,code\n1,1\n2,2\n3,3\n4,\n").Pipelines("""
            codes:
              source: src
              query: "select code, label from codes"
              table: codes
              on_check_failure: quarantine
              checks:
                - not_null: [code]
                - regex: { column: code, pattern: "^[0-9]+$" }
            items:
              source: files
              files: "items.csv"
              on_check_failure: quarantine
              checks:
                - relationships: { column: code, to: codes, field: code }
            """);

        var summary = await project.RunOkAsync();

        (await project.RowsAsync("select code, label from main.codes order by label")).ShouldBe(["1 | one", "03 | three", "2 | two"]);
        (await project.RowsAsync("select code, label, _wharf_check from main.codes__quarantine order by label"))
            .ShouldBe(["x1 | bad | regex(code)", "NULL | none | not_null(code)"]);
        (await project.AuditAsync(summary.For("codes").RunId, "codes")).ShouldBe("succeeded | 5 | 3 | 3 | 0 | 2 | 0");
        (await project.IdsAsync("main.items")).ShouldBe([1, 2, 4]);
        (await project.RowsAsync("select id, code, _wharf_reason from main.items__quarantine")).ShouldBe(["3 | 3 | code has no match in codes.code"]);
    }

    private const string Events = """
        create table events (id int primary key, amount numeric(10, 2), updated_at timestamptz not null);
        insert into events select g, g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute' from generate_series(1, 3000) g;
        """;

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task CursorChunks_QuarantineInEachChunk_AndTheCountsAddUpOverTheRun(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse, Events + "update events set amount = null where id in (500, 1500, 2500, 2501);");
        project.Pipelines("""
            events:
              source: src
              tables: [events]
              cursor: updated_at
              chunk_rows: 1000
              first_load: chunks
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
                - range: { column: amount, max: 2999 }
            """);

        var record = (await project.RunOkAsync()).For("events");

        (await project.CountAsync("main.events")).ShouldBe(2995);
        (await project.IdsAsync("main.events__quarantine", "cast(id as bigint)")).ShouldBe([500, 1500, 2500, 2501, 3000]);
        (await project.AuditAsync(record.RunId, "events")).ShouldBe("succeeded | 3000 | 2995 | 2995 | 0 | 5 | 0");
        (await project.CheckResultsAsync(record.RunId)).ShouldBe([
            "not_null(amount) | not_null | error | quarantined | 4 | 3000 | 4 of 3,000 rows: amount is NULL",
            "range(amount) | range | error | quarantined | 1 | 3000 | 1 of 3,000 rows: amount is outside [-∞, 2999]",
        ]);
    }

    /// <summary>Regression: a later chunk's failed check lost its results in the audit (fixed in c603c6e).</summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task CursorChunks_ACheckFailingInALaterChunk_IsRecordedAsFailed_AndEarlierChunksStay(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse, Events + "update events set amount = null where id = 2500;");
        project.Pipelines("""
            events:
              source: src
              tables: [events]
              cursor: updated_at
              chunk_rows: 1000
              first_load: chunks
              checks:
                - not_null: [amount]
            """);

        var record = (await project.RunAsync()).For("events");

        record.Status.ShouldBe(RunStatus.Failed);
        record.Error.ShouldNotBeNull().ShouldStartWith("Check not_null(amount) failed on main.events: 1 of 1,000 rows: amount is NULL.", Case.Sensitive);
        record.Error.ShouldContain("The 2,000 rows of earlier chunks are committed");
        (await project.CountAsync("main.events")).ShouldBe(2000);
        (await project.RowsAsync($"select status from _wharf.runs where run_id = '{record.RunId}'")).ShouldBe(["failed"]);
        (await project.CheckResultsAsync(record.RunId)).ShouldBe(["not_null(amount) | not_null | error | failed | 1 | 3000 | 1 of 3,000 rows: amount is NULL"]);
    }

    /// <summary>Regression: row_count and freshness were judged per chunk, so a fresh 3,000-row run failed on its oldest chunk (fixed in c603c6e).</summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task CursorChunks_TableChecks_JudgeTheWholeExtract(WarehouseUnderTest warehouse)
    {
        // The newest event is a minute old; the oldest chunk's newest is two days old.
        using var project = await QualityProject.CreateAsync(postgres, warehouse, """
            create table events (id int primary key, amount numeric(10, 2), updated_at timestamptz not null);
            insert into events select g, g, now() - (3000 - g) * interval '1 minute' - interval '1 minute' from generate_series(1, 3000) g;
            """);
        project.Pipelines("""
            events:
              source: src
              tables: [events]
              cursor: updated_at
              chunk_rows: 1000
              first_load: chunks
              checks:
                - row_count: { min: 2000 }
                - freshness: { column: updated_at, max_age: 1h }
            """);

        var record = (await project.RunAsync()).For("events");

        record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
        (await project.CountAsync("main.events")).ShouldBe(3000);
        (await project.CheckResultsAsync(record.RunId)).Select(r => string.Join(" | ", r.Split(" | ").Take(4)))
            .ShouldBe(["freshness(updated_at) | freshness | error | passed", "row_count | row_count | error | passed"]);
    }
}
