using System.Text.Json;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Quality;

/// <summary>
/// What a failing check does, by its severity and the pipeline's <c>on_check_failure</c>, on both
/// warehouses: <c>fail</c> loads nothing and leaves the table, its state and earlier audit rows as
/// they were (only a failed audit row with the check results is added); <c>warn</c> loads every
/// row; <c>severity: warn</c> never blocks a load; a table check cannot quarantine.
/// </summary>
public sealed class FailureModeTests(PostgresServer postgres)
{
    private const string Checks = """
          checks:
            - not_null: [amount]
            - accepted_values: { column: status, values: [new, paid] }
        """;

    private const string Clean = "id,amount,status,updated_at\n1,10,new,2026-01-01 10:00:00\n2,20,new,2026-01-01 11:00:00\n3,30,paid,2026-01-01 12:00:00\n";

    /// <summary>Row 2 changed, row 4 has no amount, row 5 an unknown status; rows 1 and 3 as before.</summary>
    private const string Dirty = "id,amount,status,updated_at\n1,10,new,2026-01-01 10:00:00\n2,25,paid,2026-01-02 09:00:00\n3,30,paid,2026-01-01 12:00:00\n" +
        "4,,new,2026-01-02 10:00:00\n5,50,lost,2026-01-02 11:00:00\n";

    /// <summary>Everything a failed load must not change: the table (every column), the state and the audit rows.</summary>
    private static async Task<List<string>> SnapshotAsync(QualityProject project)
    {
        List<string> snapshot =
        [
            .. (await project.RowsAsync("select * from main.orders order by id")).Select(r => "table: " + r),
            .. (await project.RowsAsync("select pipeline, stream, watermark, run_id, updated_at from _wharf.state")).Select(r => "state: " + r),
            .. (await project.RowsAsync("""
                select run_id, status, rows_extracted, rows_loaded, rows_quarantined, watermark_before, watermark_after, error from _wharf.runs
                """)).Order(StringComparer.Ordinal).Select(r => "run: " + r),
        ];
        return snapshot;
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Fail_WithACursor_LeavesTableStateAndAuditAsTheyWere_ExitsOne_AndTheNextGoodRunResumes(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Clean).Pipelines($"""
            orders:
              source: files
              files: "orders.csv"
              mode: merge
              primary_key: [id]
              cursor: updated_at
              on_check_failure: fail
            {Checks}
            """);
        var first = await project.CliAsync("run");
        first.ExitCode.ShouldBe(0, first.ToString());
        var before = await SnapshotAsync(project);
        before.ShouldContain(s => s.StartsWith("state: orders | orders | ", StringComparison.Ordinal));

        project.File("orders.csv", Dirty);
        var plain = await project.CliAsync("run");
        var failed = await project.CliAsync("run", "--format", "json");

        plain.ExitCode.ShouldBe(1, plain.ToString());
        plain.Error.ShouldContain("error: Check not_null(amount) failed on main.orders: 1 of 4 rows: amount is NULL. Sample rows: {id=4, amount=NULL, status=new, updated_at=", Case.Sensitive);
        plain.Error.ShouldContain("Check accepted_values(status) failed on main.orders", Case.Sensitive);
        failed.ExitCode.ShouldBe(1, failed.ToString());
        using (var json = JsonDocument.Parse(failed.Output))
        {
            json.RootElement.GetProperty("succeeded").GetBoolean().ShouldBeFalse();
            var stream = json.RootElement.GetProperty("streams").EnumerateArray().ShouldHaveSingleItem();
            stream.GetProperty("status").GetString().ShouldBe("failed");
            var error = stream.GetProperty("error").GetString().ShouldNotBeNull();
            error.ShouldStartWith("Check not_null(amount) failed on main.orders: 1 of 4 rows: amount is NULL. Sample rows: {id=4, amount=NULL, status=new, updated_at=", Case.Sensitive);
            error.ShouldContain("Check accepted_values(status) failed on main.orders: 1 of 4 rows: status is not one of new, paid. Sample rows: {id=5, amount=50, status=lost,", Case.Sensitive);
            error.ShouldContain("Nothing was loaded.", Case.Sensitive);
            stream.GetProperty("rows_loaded").GetInt64().ShouldBe(0);
            stream.GetProperty("checks").EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()} {c.GetProperty("status").GetString()} {c.GetProperty("failing_rows").GetInt64()}")
                .ShouldBe(["not_null(amount) failed 1", "accepted_values(status) failed 1"]);
        }

        // Only the failed audit rows, with their check results, are new.
        var after = await SnapshotAsync(project);
        var failedRunIds = await project.RowsAsync("select run_id from _wharf.runs where status = 'failed'");
        failedRunIds.Count.ShouldBe(2);
        after.Where(s => !failedRunIds.Any(id => s.Contains(id, StringComparison.Ordinal))).ShouldBe(before);
        var failedRunId = failedRunIds[0];
        (await project.ScalarAsync($"select error from _wharf.runs where run_id = '{failedRunId}'")).ShouldBeOfType<string>()
            .ShouldStartWith("Check not_null(amount) failed on main.orders: 1 of 4 rows: amount is NULL.");
        (await project.CheckResultsAsync(failedRunId)).ShouldBe([
            "accepted_values(status) | accepted_values | error | failed | 1 | 4 | 1 of 4 rows: status is not one of new, paid",
            "not_null(amount) | not_null | error | failed | 1 | 4 | 1 of 4 rows: amount is NULL",
        ]);
        (await project.TableExistsAsync("main", "orders__quarantine")).ShouldBeFalse();

        // The state was kept, so the fixed data is read from the old watermark: row 2's change is not lost.
        project.File("orders.csv", Dirty.Replace("4,,new", "4,40,new", StringComparison.Ordinal).Replace("lost", "paid", StringComparison.Ordinal));
        var fixedRun = await project.CliAsync("run");
        fixedRun.ExitCode.ShouldBe(0, fixedRun.ToString());
        (await project.RowsAsync("select id, amount, status from main.orders order by id"))
            .ShouldBe(["1 | 10 | new", "2 | 25 | paid", "3 | 30 | paid", "4 | 40 | new", "5 | 50 | paid"]);
    }

    public static TheoryData<string, WarehouseUnderTest> Modes()
    {
        var data = new TheoryData<string, WarehouseUnderTest>();
        foreach (var mode in new[] { "append", "replace", "merge" })
        {
            data.Add(mode, WarehouseUnderTest.DuckDb);
            data.Add(mode, WarehouseUnderTest.Postgres);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Fail_InEachMode_LeavesThePreExistingTableUntouched(string mode, WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Clean).Pipelines($"""
            orders:
              source: files
              files: "orders.csv"
              mode: {mode}
              primary_key: [id]
            {Checks}
            """);
        await project.RunOkAsync();
        var before = await SnapshotAsync(project);

        project.File("orders.csv", Dirty);
        var record = (await project.RunAsync()).For("orders");

        record.Status.ShouldBe(RunStatus.Failed);
        record.RowsLoaded.ShouldBe(0);
        record.Error.ShouldNotBeNull().ShouldStartWith("Check not_null(amount) failed on main.orders: 1 of 5 rows: amount is NULL. Sample rows: {id=4, amount=NULL, status=new,", Case.Sensitive);
        (await SnapshotAsync(project)).Where(s => !s.Contains(record.RunId, StringComparison.Ordinal)).ShouldBe(before);
        (await project.AuditAsync(record.RunId, "orders")).ShouldBe("failed | 5 | 0 | 0 | 0 | 0 | 0");
        (await project.CheckResultsAsync(record.RunId)).ShouldBe([
            "accepted_values(status) | accepted_values | error | failed | 1 | 5 | 1 of 5 rows: status is not one of new, paid",
            "not_null(amount) | not_null | error | failed | 1 | 5 | 1 of 5 rows: amount is NULL",
        ]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task OnCheckFailureWarn_LoadsEveryRow_AndRecordsTheFailuresAsWarned(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Dirty).Pipelines($"""
            orders:
              source: files
              files: "orders.csv"
              on_check_failure: warn
            {Checks}
                - row_count: {"{"} max: 3 {"}"}
            """);

        var record = (await project.RunOkAsync()).For("orders");

        (await project.IdsAsync("main.orders")).ShouldBe([1, 2, 3, 4, 5]);
        (await project.TableExistsAsync("main", "orders__quarantine")).ShouldBeFalse();
        (await project.AuditAsync(record.RunId, "orders")).ShouldBe("succeeded | 5 | 5 | 5 | 0 | 0 | 0");
        (await project.CheckResultsAsync(record.RunId)).ShouldBe([
            "accepted_values(status) | accepted_values | error | warned | 1 | 5 | 1 of 5 rows: status is not one of new, paid",
            "not_null(amount) | not_null | error | warned | 1 | 5 | 1 of 5 rows: amount is NULL",
            "row_count | row_count | error | warned | 1 | 5 | 5 rows, expected at most 3",
        ]);
        record.Checks.Select(c => c.Status).ShouldAllBe(s => s == Wharf.Quality.CheckStatus.Warned);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task SeverityWarn_UnderFail_NeverBlocks_WhileAnErrorCheckStillDoes(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Dirty).Pipelines("""
            warned:
              source: files
              files: "orders.csv"
              on_check_failure: fail
              checks:
                - not_null: [amount]
                  severity: warn
                - freshness: { column: updated_at, max_age: 1d }
                  severity: warn
                - unique: id
            blocked:
              source: files
              files: "orders.csv"
              on_check_failure: fail
              checks:
                - not_null: [amount]
                  severity: warn
                - accepted_values: { column: status, values: [new, paid] }
            """);

        var summary = await project.RunAsync();

        var warned = summary.For("warned");
        warned.Status.ShouldBe(RunStatus.Succeeded, warned.Error);
        (await project.IdsAsync("main.warned")).ShouldBe([1, 2, 3, 4, 5]);
        var results = await project.CheckResultsAsync(warned.RunId);
        results.Count.ShouldBe(3);
        results[0].ShouldStartWith("freshness(updated_at) | freshness | warn | warned | 1 | 5 | the newest updated_at is 2026-01-02 11:00:00 UTC, ");
        results[1].ShouldBe("not_null(amount) | not_null | warn | warned | 1 | 5 | 1 of 5 rows: amount is NULL");
        results[2].ShouldBe("unique(id) | unique | error | passed | 0 | 5 | passed");

        var blocked = summary.For("blocked");
        blocked.Status.ShouldBe(RunStatus.Failed);
        blocked.Error.ShouldNotBeNull().ShouldStartWith("Check accepted_values(status) failed on main.blocked: 1 of 5 rows", Case.Sensitive);
        blocked.Error.ShouldNotContain("not_null(amount)");
        (await project.TableExistsAsync("main", "blocked")).ShouldBeFalse();
        (await project.CheckResultsAsync(blocked.RunId)).ShouldBe([
            "accepted_values(status) | accepted_values | error | failed | 1 | 5 | 1 of 5 rows: status is not one of new, paid",
            "not_null(amount) | not_null | warn | warned | 1 | 5 | 1 of 5 rows: amount is NULL",
        ]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task SeverityWarn_UnderQuarantine_LoadsItsFailingRows_OnlyErrorChecksSetRowsAside(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Dirty).Pipelines("""
            orders:
              source: files
              files: "orders.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
                - accepted_values: { column: status, values: [new, paid] }
                  severity: warn
                - row_count: { min: 10 }
                  severity: warn
            """);

        var record = (await project.RunOkAsync()).For("orders");

        (await project.IdsAsync("main.orders")).ShouldBe([1, 2, 3, 5]);
        (await project.RowsAsync("select id, _wharf_check from main.orders__quarantine")).ShouldBe(["4 | not_null(amount)"]);
        (await project.CheckResultsAsync(record.RunId)).ShouldBe([
            "accepted_values(status) | accepted_values | warn | warned | 1 | 5 | 1 of 5 rows: status is not one of new, paid",
            "not_null(amount) | not_null | error | quarantined | 1 | 5 | 1 of 5 rows: amount is NULL",
            "row_count | row_count | warn | warned | 1 | 5 | 5 rows, expected at least 10",
        ]);
        (await project.AuditAsync(record.RunId, "orders")).ShouldBe("succeeded | 5 | 4 | 4 | 0 | 1 | 0");
    }

    [Theory]
    [InlineData("row_count: { min: 1 }", "row_count", WarehouseUnderTest.DuckDb)]
    [InlineData("row_count: { min: 1 }", "row_count", WarehouseUnderTest.Postgres)]
    [InlineData("freshness: { column: updated_at, max_age: 1d }", "freshness(updated_at)", WarehouseUnderTest.DuckDb)]
    [InlineData("freshness: { column: updated_at, max_age: 1d }", "freshness(updated_at)", WarehouseUnderTest.Postgres)]
    [InlineData("sql: \"select * from {{ this }} where amount < 0\"", "sql", WarehouseUnderTest.DuckDb)]
    [InlineData("sql: \"select * from {{ this }} where amount < 0\"", "sql", WarehouseUnderTest.Postgres)]
    public async Task Quarantine_WithATableCheckOfSeverityError_IsAConfigurationError(string check, string name, WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Clean).Pipelines($"""
            orders:
              source: files
              files: "orders.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
                - {check}
            """);

        var run = await project.CliAsync("run");
        var checkCommand = await project.CliAsync("check");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.ShouldContain("wharf.yml:", Case.Sensitive);
        run.Error.ShouldContain($"the check '{name}'", Case.Sensitive);
        run.Error.ShouldContain("severity: warn", Case.Sensitive);
        checkCommand.ExitCode.ShouldBe(2, checkCommand.ToString());
        (await project.TableExistsAsync("main", "orders")).ShouldBeFalse();
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task RunJson_ReportsQuarantinedRows_Notes_AndEveryCheck(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Dirty).Pipelines("""
            orders:
              source: files
              files: "orders.csv"
              on_check_failure: quarantine
              checks:
                - not_null: [amount]
                - accepted_values: { column: status, values: [new, paid] }
            """);

        var result = await project.CliAsync("run", "--format", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("succeeded").GetBoolean().ShouldBeTrue();
        var stream = json.RootElement.GetProperty("streams").EnumerateArray().ShouldHaveSingleItem();
        stream.GetProperty("rows_extracted").GetInt64().ShouldBe(5);
        stream.GetProperty("rows_loaded").GetInt64().ShouldBe(3);
        stream.GetProperty("rows_quarantined").GetInt64().ShouldBe(2);
        stream.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ShouldContain("quarantined 2 row(s) in main.orders__quarantine");
        stream.GetProperty("checks").EnumerateArray()
            .Select(c => $"{c.GetProperty("name").GetString()} {c.GetProperty("kind").GetString()} {c.GetProperty("severity").GetString()} {c.GetProperty("status").GetString()} {c.GetProperty("failing_rows").GetInt64()}/{c.GetProperty("checked_rows").GetInt64()}")
            .ShouldBe(["not_null(amount) not_null error quarantined 1/5", "accepted_values(status) accepted_values error quarantined 1/5"]);
        stream.GetProperty("checks")[0].GetProperty("sample").GetString().ShouldNotBeNull().ShouldStartWith("{id=4, amount=NULL, status=new, updated_at=");
    }
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Fail_WithACursor_TheFailedAuditRowNamesTheExtractedRowsAndLakeFile(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        project.File("orders.csv", Dirty).Pipelines($"""
            orders:
              source: files
              files: "orders.csv"
              cursor: updated_at
            {Checks}
            """);

        var record = (await project.RunAsync()).For("orders");

        record.Status.ShouldBe(RunStatus.Failed);
        (await project.AuditAsync(record.RunId, "orders")).ShouldBe("failed | 5 | 0 | 0 | 0 | 0 | 0");
        var files = Directory.GetFiles(Path.Combine(project.Root, "lake"), "*.parquet", SearchOption.AllDirectories);
        files.ShouldHaveSingleItem();
        record.LakeFiles.ShouldHaveSingleItem().ShouldEndWith(Path.GetFileName(files[0]));
    }
}
