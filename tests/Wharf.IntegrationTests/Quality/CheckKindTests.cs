using System.Globalization;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Quality;

/// <summary>
/// Every check kind, failing and passing, on the same five CSV rows, into both warehouses. Row
/// checks run under <c>on_check_failure: quarantine</c>, so exactly the failing rows must leave
/// the table for <c>__quarantine</c>; table checks (row_count, freshness, sql) run under
/// <c>fail</c>, so the run must fail naming the check and create nothing. The same rows under a
/// passing variant of each check load whole.
/// </summary>
public sealed class CheckKindTests(PostgresServer postgres)
{
    /// <summary>Where the freshness messages hold the newest <c>seen_at</c>.</summary>
    private const string NewestText = "{newest}";

    /// <summary>
    /// Row 1 passes everything. NULLs: amount (2), qty (4), status (4), sku, country and customer (5).
    /// Row 3 is the odd one: amount 250, country 'usa', status 'lost', customer c9 (unknown). Rows 3
    /// and 4 share sku A-3; amount 0 and 100 sit on the bounds of [0, 100].
    /// </summary>
    /// <param name="newest">The newest <c>seen_at</c> (row 2).</param>
    private static string Rows(DateTime newest) => $"""
        id,sku,amount,qty,country,status,customer,seen_at
        1,A-1,10,1,US,new,c1,{newest.AddMinutes(-30):yyyy-MM-dd HH:mm:ss}
        2,A-2,,2,FR,paid,c2,{newest:yyyy-MM-dd HH:mm:ss}
        3,A-3,250,3,usa,lost,c9,{newest.AddDays(-1):yyyy-MM-dd HH:mm:ss}
        4,A-3,0,,DE,,c1,{newest.AddDays(-2):yyyy-MM-dd HH:mm:ss}
        5,,100,5,,new,,{newest.AddDays(-3):yyyy-MM-dd HH:mm:ss}

        """;

    /// <summary>Two hours ago, to the second: fresh within 3h, stale past 1h.</summary>
    private static DateTime TwoHoursAgo()
    {
        var now = DateTime.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)).AddHours(-2);
    }

    /// <param name="Failing">The check (a list item of <c>checks:</c>) that some rows fail.</param>
    /// <param name="Passing">Checks on the same rows that all pass.</param>
    /// <param name="Name">The failing check's name.</param>
    /// <param name="FailingIds">Row checks: the ids that fail; empty for table checks.</param>
    /// <param name="Message">What the failing check's result says.</param>
    /// <param name="Reason">Row checks: the quarantine reason.</param>
    public sealed record KindCase(string Failing, string Passing, string Name, string Kind, long[] FailingIds, string Message, string? Reason = null)
    {
        public bool IsRowLevel => FailingIds.Length > 0;
    }

    private static readonly Dictionary<string, KindCase> Cases = new(StringComparer.Ordinal)
    {
        ["not_null"] = new("- not_null: [amount]", "- not_null: [id, seen_at]",
            "not_null(amount)", "not_null", [2], "1 of 5 rows: amount is NULL", "amount is NULL"),

        // NULL sku (row 5) is not a duplicate.
        ["unique"] = new("- unique: sku", "- unique: id",
            "unique(sku)", "unique", [3, 4], "2 of 5 rows: (sku) is not unique", "(sku) is not unique"),

        // Customer c1 twice (rows 1 and 4), but as a composite key with sku each pair is unique.
        ["unique_composite"] = new("- unique: [customer]", "- unique: [customer, sku]",
            "unique(customer)", "unique", [1, 4], "2 of 5 rows: (customer) is not unique", "(customer) is not unique"),
        ["accepted_values"] = new("- accepted_values: { column: status, values: [new, paid] }", "- accepted_values: { column: status, values: [new, paid, lost] }",
            "accepted_values(status)", "accepted_values", [3], "1 of 5 rows: status is not one of new, paid", "status is not one of new, paid"),

        // Integers compared as text: 1, 2, 3 and 5 are listed, NULL passes.
        ["accepted_values_numbers"] = new("- accepted_values: { column: qty, values: [1, 2, 5] }", "- accepted_values: { column: qty, values: [1, 2, 3, 5] }",
            "accepted_values(qty)", "accepted_values", [3], "1 of 5 rows: qty is not one of 1, 2, 5", "qty is not one of 1, 2, 5"),

        // 0 and 100 are on the bounds: allowed.
        ["range"] = new("- range: { column: amount, min: 0, max: 100 }", "- range: { column: amount, min: 0, max: 250 }",
            "range(amount)", "range", [3], "1 of 5 rows: amount is outside [0, 100]", "amount is outside [0, 100]"),
        ["range_exclusive"] = new("- range: { column: amount, min: 0, max: 100, inclusive: false }", "- range: { column: amount, min: -1, max: 251, inclusive: false }",
            "range(amount)", "range", [3, 4, 5], "3 of 5 rows: amount is outside (0, 100)", "amount is outside (0, 100)"),
        ["range_min_only"] = new("- range: { column: amount, min: 11 }", "- range: { column: amount, min: 0 }",
            "range(amount)", "range", [1, 4], "2 of 5 rows: amount is outside [11, ∞]", "amount is outside [11, ∞]"),
        ["regex"] = new("- regex: { column: country, pattern: \"^[A-Z]{2}$\" }", "- regex: { column: country, pattern: \"^[A-Za-z]+$\" }",
            "regex(country)", "regex", [3], "1 of 5 rows: country does not match ^[A-Z]{2}$", "country does not match ^[A-Z]{2}$"),

        // NULL (rows 2 and 4) is not false.
        ["expression"] = new("- expression: \"amount <= qty * 50\"", "- expression: \"amount >= 0\"",
            "expression: amount <= qty * 50", "expression", [3], "1 of 5 rows: amount <= qty * 50 is false", "amount <= qty * 50 is false"),

        // customers (c1, c2) and all_customers (c1, c2, c9) are loaded by the pipelines before.
        ["relationships"] = new("- relationships: { column: customer, to: customers, field: code }", "- relationships: { column: customer, to: main.all_customers, field: code }",
            "relationships(customer → customers)", "relationships", [3], "1 of 5 rows: customer has no match in customers.code", "customer has no match in customers.code"),
        ["row_count"] = new("- row_count: { min: 6 }", "- row_count: { min: 5, max: 5 }",
            "row_count", "row_count", [], "5 rows, expected at least 6"),
        ["row_count_max"] = new("- row_count: { max: 4 }", "- row_count: { max: 5 }",
            "row_count", "row_count", [], "5 rows, expected at most 4"),
        ["freshness"] = new("- freshness: { column: seen_at, max_age: 1h }", "- freshness: { column: seen_at, max_age: 3h }",
            "freshness(seen_at)", "freshness", [], $"the newest seen_at is {NewestText} UTC, 2 hours old (max_age 1 hours)"),
        ["sql"] = new("- sql: \"select * from {{ this }} where amount > 200\"", "- sql: \"select * from {{ this }} where amount > 1000\"",
            "sql", "sql", [], "the query returned 1 row(s)"),
    };

    public static TheoryData<string, WarehouseUnderTest> Kinds()
    {
        var data = new TheoryData<string, WarehouseUnderTest>();
        foreach (var kind in Cases.Keys)
        {
            data.Add(kind, WarehouseUnderTest.DuckDb);
            data.Add(kind, WarehouseUnderTest.Postgres);
        }

        return data;
    }

    private static string Checks(string check) => "  checks:\n    " + check;

    private async Task<(QualityProject Project, RunSummary Summary, KindCase Kind)> RunAsync(string name, WarehouseUnderTest warehouse)
    {
        var newest = TwoHoursAgo();
        var kind = Cases[name] with { Message = Cases[name].Message.Replace(NewestText, newest.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), StringComparison.Ordinal) };
        var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("kinds.csv", Rows(newest)).File("customers.csv", "code\nc1\nc2\n").File("all_customers.csv", "code\nc1\nc2\nc9\n").Pipelines($"""
            customers:
              source: files
              files: "customers.csv"
            all_customers:
              source: files
              files: "all_customers.csv"
            bad:
              source: files
              files: "kinds.csv"
              on_check_failure: {(kind.IsRowLevel ? "quarantine" : "fail")}
            {Checks(kind.Failing)}
            good:
              source: files
              files: "kinds.csv"
            {Checks(kind.Passing)}
            """);
        return (project, await project.RunAsync(), kind);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Check_WhenSomeRowsFail_SetsExactlyThoseAside_OrFailsTheLoad_AndRecordsTheResult(string name, WarehouseUnderTest warehouse)
    {
        var (project, summary, kind) = await RunAsync(name, warehouse);
        using var _ = project;
        var bad = summary.For("bad");
        var because = $"{name} into {warehouse}";

        if (kind.IsRowLevel)
        {
            bad.Status.ShouldBe(RunStatus.Succeeded, $"{because}: {bad.Error}");
            var kept = new long[] { 1, 2, 3, 4, 5 }.Except(kind.FailingIds).ToList();
            (await project.IdsAsync("main.bad")).ShouldBe(kept, because);
            (await project.RowsAsync("select cast(id as bigint), _wharf_check, _wharf_reason, _wharf_run_id from main.bad__quarantine order by cast(id as bigint)"))
                .ShouldBe(kind.FailingIds.Select(id => $"{id} | {kind.Name} | {kind.Reason} | {bad.RunId}"), because);
            bad.RowsQuarantined.ShouldBe(kind.FailingIds.Length, because);
            (await project.AuditAsync(bad.RunId, "bad")).ShouldBe($"succeeded | 5 | {kept.Count} | {kept.Count} | 0 | {kind.FailingIds.Length} | 0", because);
            (await project.CheckResultsAsync(bad.RunId, "main.bad"))
                .ShouldBe([$"{kind.Name} | {kind.Kind} | error | quarantined | {kind.FailingIds.Length} | 5 | {kind.Message}"], because);
        }
        else
        {
            bad.Status.ShouldBe(RunStatus.Failed, because);
            bad.Error.ShouldNotBeNull().ShouldStartWith($"Check {kind.Name} failed on main.bad: {kind.Message}.", Case.Sensitive, because);
            bad.Error.ShouldContain("Nothing was loaded.", Case.Sensitive, because);
            (await project.TableExistsAsync("main", "bad")).ShouldBeFalse(because);
            (await project.TableExistsAsync("main", "bad__quarantine")).ShouldBeFalse(because);
            (await project.AuditAsync(bad.RunId, "bad")).ShouldBe("failed | 5 | 0 | 0 | 0 | 0 | 0", because);
            (await project.CheckResultsAsync(bad.RunId, "main.bad"))
                .ShouldBe([$"{kind.Name} | {kind.Kind} | error | failed | 1 | 5 | {kind.Message}"], because);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Check_WhenEveryRowPasses_LoadsThemAll_AndRecordsPassed(string name, WarehouseUnderTest warehouse)
    {
        var (project, summary, kind) = await RunAsync(name, warehouse);
        using var _ = project;
        var good = summary.For("good");
        var because = $"{name} into {warehouse}";

        good.Status.ShouldBe(RunStatus.Succeeded, $"{because}: {good.Error}");
        (await project.IdsAsync("main.good")).ShouldBe([1, 2, 3, 4, 5], because);
        (await project.TableExistsAsync("main", "good__quarantine")).ShouldBeFalse(because);
        (await project.AuditAsync(good.RunId, "good")).ShouldBe("succeeded | 5 | 5 | 5 | 0 | 0 | 0", because);
        var results = await project.CheckResultsAsync(good.RunId, "main.good");
        results.ShouldNotBeEmpty(because);
        results.ShouldAllBe(r => r.Contains(" | error | passed | 0 | 5 | passed"), because);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task NotNull_WithAList_IsOneCheckPerColumn_EachWithItsOwnCountAndReason(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("kinds.csv", Rows(TwoHoursAgo())).Pipelines("""
            kinds:
              source: files
              files: "kinds.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount, qty, country]
            """);

        var record = (await project.RunOkAsync()).For("kinds");

        (await project.CheckResultsAsync(record.RunId)).ShouldBe([
            "not_null(amount) | not_null | error | quarantined | 1 | 5 | 1 of 5 rows: amount is NULL",
            "not_null(country) | not_null | error | quarantined | 1 | 5 | 1 of 5 rows: country is NULL",
            "not_null(qty) | not_null | error | quarantined | 1 | 5 | 1 of 5 rows: qty is NULL",
        ]);
        (await project.RowsAsync("select cast(id as bigint), _wharf_check, _wharf_reason from main.kinds__quarantine order by cast(id as bigint)")).ShouldBe([
            "2 | not_null(amount) | amount is NULL",
            "4 | not_null(qty) | qty is NULL",
            "5 | not_null(country) | country is NULL",
        ]);
        (await project.IdsAsync("main.kinds")).ShouldBe([1, 3]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Checks_WithAName_AreRecordedAndQuarantinedUnderIt(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("kinds.csv", Rows(TwoHoursAgo())).Pipelines("""
            kinds:
              source: files
              files: "kinds.csv"
              on_check_failure: quarantine
              checks:
                - range: { column: amount, max: 200 }
                  name: amount_cap
                - range: { column: qty, max: 4 }
                  name: qty_cap
                  severity: warn
            """);

        var record = (await project.RunOkAsync()).For("kinds");

        (await project.CheckResultsAsync(record.RunId)).ShouldBe([
            "amount_cap | range | error | quarantined | 1 | 5 | 1 of 5 rows: amount is outside [-∞, 200]",
            "qty_cap | range | warn | warned | 1 | 5 | 1 of 5 rows: qty is outside [-∞, 4]",
        ]);
        (await project.RowsAsync("select cast(id as bigint), _wharf_check from main.kinds__quarantine")).ShouldBe(["3 | amount_cap"]);
        (await project.IdsAsync("main.kinds")).ShouldBe([1, 2, 4, 5]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Check_OnAColumnTheDataLacks_FailsTheRun_NamingTheCheckAndTheColumn(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("kinds.csv", Rows(TwoHoursAgo())).Pipelines("""
            kinds:
              source: files
              files: "kinds.csv"
              checks:
                - not_null: [price]
            """);

        var record = (await project.RunAsync()).For("kinds");

        record.Status.ShouldBe(RunStatus.Failed);
        record.Error.ShouldNotBeNull().ShouldContain("not_null(price)");
        record.Error.ShouldContain("price");
        record.Error.ShouldContain("wharf.yml");
        (await project.TableExistsAsync("main", "kinds")).ShouldBeFalse();
    }
}
