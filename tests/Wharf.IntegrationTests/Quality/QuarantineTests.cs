using System.Globalization;
using System.Text;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Quality;

/// <summary>
/// <c>on_check_failure: quarantine</c> on both warehouses: exactly the failing rows go to
/// <c>&lt;table&gt;__quarantine</c> (as text, with every failed check and reason), the rest load,
/// and the audit and <c>_wharf.check_results</c> count them; later runs append to the quarantine
/// table and widen it; merges never see a quarantined row; checks judge the rows before transforms.
/// </summary>
public sealed class QuarantineTests(PostgresServer postgres)
{
    private const string Reasons = "country does not match ^[A-Z]{2}$; status is not one of new, paid, shipped";

    /// <summary>What each bad row of the 1,000 fails, by row number (1-based); the others are clean.</summary>
    private static Dictionary<int, string[]> BadRows()
    {
        var bad = new Dictionary<int, string[]>();
        void Mark(IEnumerable<int> rows, params string[] checks)
        {
            foreach (var row in rows)
            {
                bad[row] = checks;
            }
        }

        Mark(Steps(10, 10), "not_null(amount)");
        Mark(Steps(110, 10), "range(amount)");
        Mark(Steps(210, 8), "regex(country)");
        Mark(Steps(290, 8), "accepted_values(status)");
        Mark(Steps(370, 6), "regex(country)", "accepted_values(status)");
        Mark(Steps(430, 4), "relationships(customer_id → customers)");
        Mark([997, 998], "unique(id)");
        Mark([999, 1000], "not_null(amount)", "unique(id)");
        return bad;
    }

    private static IEnumerable<int> Steps(int first, int count) => Enumerable.Range(0, count).Select(i => first + i * 10);

    /// <summary>Row n has id n, except that rows 998 and 1000 repeat the ids 997 and 999.</summary>
    private static int IdOf(int row) => row is 998 or 1000 ? row - 1 : row;

    private static string Orders(Dictionary<int, string[]> bad)
    {
        var csv = new StringBuilder("id,customer_id,amount,country,status\n");
        for (var row = 1; row <= 1000; row++)
        {
            var checks = bad.GetValueOrDefault(row) ?? [];
            var amount = checks.Contains("not_null(amount)") ? "" : checks.Contains("range(amount)") ? "-5" : (row % 97 + 1).ToString(CultureInfo.InvariantCulture);
            var country = checks.Contains("regex(country)") ? "usa" : row % 2 == 0 ? "FR" : "US";
            var status = checks.Contains("accepted_values(status)") ? "lost" : (row % 3) switch { 0 => "new", 1 => "paid", _ => "shipped" };
            var customer = checks.Contains("relationships(customer_id → customers)") ? "C999" : $"C{row % 50 + 1:000}";
            csv.Append(CultureInfo.InvariantCulture, $"{IdOf(row)},{customer},{amount},{country},{status}\n");
        }

        return csv.ToString();
    }

    private static string Customers() => "code,name\n" + string.Concat(Enumerable.Range(1, 50).Select(i => $"C{i:000},customer {i}\n"));

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task FivePercentBadRows_AcrossSeveralChecks_AreQuarantinedExactly(WarehouseUnderTest warehouse)
    {
        var bad = BadRows();
        bad.Count.ShouldBe(50);
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Orders(bad)).File("customers.csv", Customers()).Pipelines("""
            customers:
              source: files
              files: "customers.csv"
            orders:
              source: files
              files: "orders.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
                - unique: id
                - range: { column: amount, min: 0 }
                - regex: { column: country, pattern: "^[A-Z]{2}$" }
                - accepted_values: { column: status, values: [new, paid, shipped] }
                - relationships: { column: customer_id, to: customers, field: code }
                - expression: "amount < 1000"
                - row_count: { min: 1001 }
                  severity: warn
            """);

        var record = (await project.RunOkAsync()).For("orders");

        // The table: the 950 clean rows, every one of them, and nothing else.
        var cleanIds = Enumerable.Range(1, 1000).Where(row => !bad.ContainsKey(row)).Select(row => (long)IdOf(row)).ToList();
        cleanIds.Count.ShouldBe(950);
        (await project.CountAsync("main.orders")).ShouldBe(950);
        (await project.IdsAsync("main.orders")).ShouldBe(cleanIds);

        // The quarantine: the 50 bad rows, each with every check it failed, in declaration order.
        var order = new[] { "not_null(amount)", "unique(id)", "range(amount)", "regex(country)", "accepted_values(status)", "relationships(customer_id → customers)" };
        var expected = bad.OrderBy(b => b.Key).Select(b => $"{IdOf(b.Key)} | {string.Join(", ", order.Where(b.Value.Contains))} | {record.RunId}").ToList();
        var quarantined = await project.RowsAsync(
            "select cast(id as bigint), _wharf_check, _wharf_run_id from main.orders__quarantine order by cast(id as bigint), customer_id, amount");
        quarantined.Order(StringComparer.Ordinal).ShouldBe(expected.Order(StringComparer.Ordinal));
        (await project.RowsAsync("select _wharf_check, count(*) from main.orders__quarantine group by _wharf_check")).Order(StringComparer.Ordinal).ShouldBe([
            "accepted_values(status) | 8",
            "not_null(amount) | 10",
            "not_null(amount), unique(id) | 2",
            "range(amount) | 10",
            "regex(country) | 8",
            "regex(country), accepted_values(status) | 6",
            "relationships(customer_id → customers) | 4",
            "unique(id) | 2",
        ]);

        // Exactly what arrived (integers, so no type inference can reformat them), as text, and why.
        (await project.RowsAsync("select id, customer_id, amount, country, status, _wharf_reason from main.orders__quarantine where id in ('110', '370', '430', '997', '999')"))
            .Order(StringComparer.Ordinal).ShouldBe([
                "110 | C011 | -5 | FR | shipped | amount is outside [0, ∞]",
                "370 | C021 | 80 | usa | lost | " + Reasons,
                "430 | C999 | 43 | FR | paid | customer_id has no match in customers.code",
                "997 | C048 | 28 | US | paid | (id) is not unique",
                "997 | C049 | 29 | FR | shipped | (id) is not unique",
                "999 | C001 | NULL | FR | paid | amount is NULL; (id) is not unique",
                "999 | C050 | NULL | US | new | amount is NULL; (id) is not unique",
            ]);
        (await project.ScalarAsync("select count(*) from main.orders__quarantine where _wharf_loaded_at is null")).ShouldBe(0L);

        record.RowsQuarantined.ShouldBe(50);
        (await project.AuditAsync(record.RunId, "orders")).ShouldBe("succeeded | 1000 | 950 | 950 | 0 | 50 | 0");
        (await project.CheckResultsAsync(record.RunId, "main.orders")).ShouldBe([
            "accepted_values(status) | accepted_values | error | quarantined | 14 | 1000 | 14 of 1,000 rows: status is not one of new, paid, shipped",
            "expression: amount < 1000 | expression | error | passed | 0 | 1000 | passed",
            "not_null(amount) | not_null | error | quarantined | 12 | 1000 | 12 of 1,000 rows: amount is NULL",
            "range(amount) | range | error | quarantined | 10 | 1000 | 10 of 1,000 rows: amount is outside [0, ∞]",
            "regex(country) | regex | error | quarantined | 14 | 1000 | 14 of 1,000 rows: country does not match ^[A-Z]{2}$",
            "relationships(customer_id → customers) | relationships | error | quarantined | 4 | 1000 | 4 of 1,000 rows: customer_id has no match in customers.code",
            "row_count | row_count | warn | warned | 1 | 1000 | 1,000 rows, expected at least 1001",
            "unique(id) | unique | error | quarantined | 4 | 1000 | 4 of 1,000 rows: (id) is not unique",
        ]);
        record.Notes.ShouldContain("quarantined 50 row(s) in main.orders__quarantine");
        (await project.ScalarAsync($"select notes from _wharf.runs where run_id = '{record.RunId}' and pipeline = 'orders'")).ShouldNotBeNull().ToString()!
            .ShouldContain("quarantined 50 row(s) in main.orders__quarantine");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task QuarantineTable_HoldsEveryDataColumnAsText_AndTheMetadata(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("o.csv", "id,amount,day,flag\n1,2,2026-01-02,true\n2,-1,2026-01-03,false\n").Pipelines("""
            orders:
              source: files
              files: "o.csv"
              on_check_failure: quarantine
              checks:
                - range: { column: amount, min: 0 }
            """);

        var record = (await project.RunOkAsync()).For("orders");

        var columns = await project.RowsAsync("""
            select column_name, data_type from information_schema.columns
            where table_schema = 'main' and table_name = 'orders__quarantine' order by ordinal_position
            """);
        var text = warehouse == WarehouseUnderTest.DuckDb ? "VARCHAR" : "text";
        var time = warehouse == WarehouseUnderTest.DuckDb ? "TIMESTAMP WITH TIME ZONE" : "timestamp with time zone";
        columns.ShouldBe([
            $"id | {text}", $"amount | {text}", $"day | {text}", $"flag | {text}",
            $"_wharf_check | {text}", $"_wharf_reason | {text}", $"_wharf_run_id | {text}", $"_wharf_loaded_at | {time}",
        ]);
        (await project.RowsAsync("select id, amount, day, flag, _wharf_check, _wharf_run_id from main.orders__quarantine"))
            .ShouldBe([$"2 | -1 | 2026-01-03 | false | range(amount) | {record.RunId}"]);
        (await project.RowsAsync("select id, amount from main.orders")).ShouldBe(["1 | 2"]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task SecondRun_AppendsToTheQuarantineTable_AndANewColumnIsAddedToIt(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        const string Pipelines = """
            orders:
              source: files
              files: "orders.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
            """;
        project.File("orders.csv", "id,amount\n1,10\n2,\n3,30\n").Pipelines(Pipelines);
        var first = (await project.RunOkAsync()).For("orders");

        project.File("orders.csv", "id,amount,coupon\n4,,SPRING\n5,50,\n6,,\n");
        var second = (await project.RunOkAsync()).For("orders");

        (await project.RowsAsync("select id, amount, coupon, _wharf_check, _wharf_run_id from main.orders__quarantine order by id")).ShouldBe([
            $"2 | NULL | NULL | not_null(amount) | {first.RunId}",
            $"4 | NULL | SPRING | not_null(amount) | {second.RunId}",
            $"6 | NULL | NULL | not_null(amount) | {second.RunId}",
        ]);
        (await project.RowsAsync("select id, amount, coupon from main.orders order by id")).ShouldBe(["1 | 10 | NULL", "3 | 30 | NULL", "5 | 50 | NULL"]);
        (await project.AuditAsync(first.RunId, "orders")).ShouldBe("succeeded | 3 | 2 | 2 | 0 | 1 | 0");
        (await project.AuditAsync(second.RunId, "orders")).ShouldBe("succeeded | 3 | 1 | 1 | 0 | 2 | 0");
        (await project.CheckResultsAsync(second.RunId)).ShouldBe(["not_null(amount) | not_null | error | quarantined | 2 | 3 | 2 of 3 rows: amount is NULL"]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Merge_WithQuarantine_BadRowsAreNotMerged_AndTheirKeysKeepTheirOldValues(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", "id,amount,status\n1,10,new\n2,20,new\n3,30,new\n").Pipelines("""
            orders:
              source: files
              files: "orders.csv"
              mode: merge
              primary_key: [id]
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
                - range: { column: amount, min: 0 }
                - accepted_values: { column: status, values: [new, paid] }
            """);
        var first = (await project.RunOkAsync()).For("orders");

        // 1: a good update. 2: an update with a NULL amount. 3: unchanged. 4: new and negative. 5: new and good. 6: new, bad status.
        project.File("orders.csv", "id,amount,status\n1,11,paid\n2,,paid\n3,30,new\n4,-4,new\n5,50,new\n6,60,lost\n");
        var second = (await project.RunOkAsync()).For("orders");

        (await project.RowsAsync("select id, amount, status, _wharf_run_id from main.orders order by id")).ShouldBe([
            $"1 | 11 | paid | {second.RunId}",
            $"2 | 20 | new | {first.RunId}",
            $"3 | 30 | new | {first.RunId}",
            $"5 | 50 | new | {second.RunId}",
        ]);
        (await project.RowsAsync("select id, _wharf_check from main.orders__quarantine order by id")).ShouldBe([
            "2 | not_null(amount)", "4 | range(amount)", "6 | accepted_values(status)",
        ]);
        (await project.AuditAsync(second.RunId, "orders")).ShouldBe("succeeded | 6 | 2 | 1 | 1 | 3 | 0");
        second.RowsUnchanged.ShouldBe(1);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task UniqueCompositeKey_QuarantinesEveryRowOfADuplicatedKey_AndNullsInTheKeyPass(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("lines.csv", """
            id,order_no,line,sku
            1,100,1,a
            2,100,2,b
            3,100,2,c
            4,100,2,d
            5,101,1,a
            6,101,,b
            7,101,,c
            8,,1,d
            9,,1,e
            10,102,1,f
            11,102,1,f

            """).Pipelines("""
            lines:
              source: files
              files: "lines.csv"
              on_check_failure: quarantine
              checks:
                - unique: [order_no, line]
            """);

        var record = (await project.RunOkAsync()).For("lines");

        (await project.IdsAsync("main.lines")).ShouldBe([1, 5, 6, 7, 8, 9]);
        (await project.RowsAsync("select cast(id as bigint), _wharf_check, _wharf_reason from main.lines__quarantine order by cast(id as bigint)")).ShouldBe([
            "2 | unique(order_no, line) | (order_no, line) is not unique",
            "3 | unique(order_no, line) | (order_no, line) is not unique",
            "4 | unique(order_no, line) | (order_no, line) is not unique",
            "10 | unique(order_no, line) | (order_no, line) is not unique",
            "11 | unique(order_no, line) | (order_no, line) is not unique",
        ]);
        (await project.CheckResultsAsync(record.RunId)).ShouldBe(["unique(order_no, line) | unique | error | quarantined | 5 | 11 | 5 of 11 rows: (order_no, line) is not unique"]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Checks_JudgeTheStagedRows_BeforeTransforms(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);

        // The filter would drop row 3 and the dedupe row 5, but the checks see them first; the
        // checks name 'amount', which the rename turns into 'total'.
        project.File("o.csv", "id,amount,note\n1,10, keep \n2,,x\n3,-3,drop\n4,40,dup\n4,41,dup\n").Pipelines("""
            orders:
              source: files
              files: "o.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
                - range: { column: amount, min: 0 }
              transform:
                - filter: "note <> 'drop'"
                - dedupe: { by: [id], keep: last, order_by: amount }
                - rename: { amount: total }
                - trim: [note]
            """);

        var record = (await project.RunOkAsync()).For("orders");

        (await project.RowsAsync("select id, total, note from main.orders order by id")).ShouldBe(["1 | 10 | keep", "4 | 41 | dup"]);
        (await project.RowsAsync("select id, amount, note, _wharf_check from main.orders__quarantine order by id"))
            .ShouldBe(["2 | NULL | x | not_null(amount)", "3 | -3 | drop | range(amount)"]);
        (await project.CheckResultsAsync(record.RunId)).ShouldBe([
            "not_null(amount) | not_null | error | quarantined | 1 | 5 | 1 of 5 rows: amount is NULL",
            "range(amount) | range | error | quarantined | 1 | 5 | 1 of 5 rows: amount is outside [0, ∞]",
        ]);

        // 5 extracted: 2 quarantined, 1 removed by the dedupe (the filter found nothing left to drop), 2 loaded.
        (await project.AuditAsync(record.RunId, "orders")).ShouldBe("succeeded | 5 | 2 | 2 | 0 | 2 | 1");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task EveryRowFailing_LeavesAnEmptyTable_AndAllRowsInQuarantine(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("o.csv", "id,amount\n1,-1\n2,-2\n").Pipelines("""
            orders:
              source: files
              files: "o.csv"
              on_check_failure: quarantine
              checks:
                - range: { column: amount, min: 0 }
            """);

        var record = (await project.RunOkAsync()).For("orders");

        (await project.CountAsync("main.orders")).ShouldBe(0);
        (await project.RowsAsync("select id from main.orders__quarantine order by id")).ShouldBe(["1", "2"]);
        (await project.AuditAsync(record.RunId, "orders")).ShouldBe("succeeded | 2 | 0 | 0 | 0 | 2 | 0");
    }
    /// <summary>Regression for replays that skipped the rules and loaded the quarantined rows (fixed in 39f1fb2).</summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Replay_OfARunWithQuarantine_LoadsOnlyTheGoodRowsAgain(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", "id,amount\n1,10\n2,\n3,30\n").Pipelines("""
            orders:
              source: files
              files: "orders.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
            """);
        var record = (await project.RunOkAsync()).For("orders");
        await project.ExecuteWarehouseAsync("delete from main.orders where id = 3; delete from main.orders__quarantine");

        var replay = await project.CliAsync("replay", "orders", "--run", record.RunId);

        replay.ExitCode.ShouldBe(0, replay.ToString());
        (await project.RowsAsync("select id, amount, _wharf_run_id from main.orders order by id")).ShouldBe([$"1 | 10 | {record.RunId}", $"3 | 30 | {record.RunId}"]);
        (await project.RowsAsync("select id from main.orders__quarantine")).ShouldBe(["2"]);
    }
}
