using System.Text.Json;

namespace Wharf.Tests.Cli;

/// <summary>`wharf init`, `query`, `runs` and usage errors, through the real CLI.</summary>
public sealed class OtherCommandsTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private async Task LoadAsync()
    {
        project.Write("data/t.csv", "id,name,amount,day\n1,\"a, b\",1.50,2024-01-01\n2,\"say \"\"hi\"\"\",,2024-01-02\n").WithPipelines("""
              t: { source: local, files: "t.csv", mode: replace }
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());
    }

    [Fact]
    public async Task Init_CreatesAProjectThatRunsAsIs_AndNeverOverwritesOne()
    {
        var folder = Path.Combine(project.Root, "my-dw");
        var init = await WharfProcess.RunAsync(project.Root, "init", folder);
        init.ExitCode.ShouldBe(0, init.ToString());
        File.Exists(Path.Combine(folder, "wharf.yml")).ShouldBeTrue();
        File.Exists(Path.Combine(folder, ".env.example")).ShouldBeTrue();

        var run = await WharfProcess.RunAsync(project.Root, "run", "--project", folder);
        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("3 rows into main.customers");

        var again = await WharfProcess.RunAsync(project.Root, "init", folder);
        again.ExitCode.ShouldBe(2);
        again.Error.ShouldContain("already exists");
    }

    [Fact]
    public async Task Query_Csv_QuotesFieldsAndLeavesNullsEmpty()
    {
        await LoadAsync();
        var result = await project.RunAsync("query", "select id, name, amount, day from t order by id", "--format", "csv");
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ReplaceLineEndings("\n").ShouldBe("id,name,amount,day\n1,\"a, b\",1.50,2024-01-01\n2,\"say \"\"hi\"\"\",,2024-01-02\n");
    }

    [Fact]
    public async Task Query_Json_KeepsTypes()
    {
        await LoadAsync();
        var result = await project.RunAsync("query", "select id, name, amount, 12.345::decimal(10,3) as exact, [1, 2] as list, {'k': 'v'} as obj from t order by id", "--format", "json");
        result.ExitCode.ShouldBe(0, result.ToString());
        var rows = JsonDocument.Parse(result.Output).RootElement;
        rows.GetArrayLength().ShouldBe(2);
        rows[0].GetProperty("id").GetInt64().ShouldBe(1);
        rows[0].GetProperty("name").GetString().ShouldBe("a, b");
        rows[0].GetProperty("exact").GetRawText().ShouldBe("12.345");
        rows[0].GetProperty("list")[1].GetInt32().ShouldBe(2);
        rows[0].GetProperty("obj").GetProperty("k").GetString().ShouldBe("v");
        rows[1].GetProperty("amount").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Query_Table_ShowsRowsAndCount()
    {
        await LoadAsync();
        var result = await project.RunAsync("query", "select count(*) as n from t");
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("│ n │");
        result.Output.ShouldContain("│ 2 │");
        result.Output.ShouldContain("1 row");
    }

    [Fact]
    public async Task Query_BadSql_ExitsWith1AndSaysWhy()
    {
        await LoadAsync();
        var result = await project.RunAsync("query", "select * from missing_table");
        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("missing_table");
    }

    [Fact]
    public async Task Query_BeforeAnyRun_SaysToRunFirst()
    {
        project.WithPipelines("  t: { source: local, files: \"t.csv\" }");
        var result = await project.RunAsync("query", "select 1");
        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("wharf run");
        File.Exists(project.Warehouse).ShouldBeFalse();
    }

    [Fact]
    public async Task Runs_Json_ListsNewestFirst()
    {
        await LoadAsync();
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        var result = await project.RunAsync("runs", "--format", "json", "--last", "5");
        result.ExitCode.ShouldBe(0, result.ToString());
        var runs = JsonDocument.Parse(result.Output).RootElement;
        runs.GetArrayLength().ShouldBe(2);
        string.CompareOrdinal(runs[0].GetProperty("run_id").GetString(), runs[1].GetProperty("run_id").GetString()).ShouldBeGreaterThan(0);
        runs[0].GetProperty("rows_loaded").GetInt64().ShouldBe(2);
        runs[0].GetProperty("status").GetString().ShouldBe("succeeded");
    }

    [Fact]
    public async Task Runs_Table_ShowsTheTrail()
    {
        await LoadAsync();
        var result = await project.RunAsync("runs");
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("main.t");
        result.Output.ShouldContain("succeeded");
    }

    [Theory]
    [InlineData("runs", "--last", "0")]
    [InlineData("frobnicate")]
    [InlineData("run", "--no-such-option")]
    public async Task BadUsage_ExitsWith2(params string[] args)
    {
        await LoadAsync();
        var result = await project.RunAsync(args);
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Error.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Help_ExitsWith0()
    {
        var result = await WharfProcess.RunAsync(project.Root, "run", "--help");
        result.ExitCode.ShouldBe(0);
        result.Output.ShouldContain("--project");
    }

    [Fact]
    public async Task AppendWithAnIncompatibleColumn_FailsBeforeLoading_AndChangesNothing()
    {
        project.Write("data/t.csv", "id,name\n1,a\n").WithPipelines("  t: { source: local, files: \"t.csv\", mode: append }");
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        project.Write("data/t.csv", "id,name,surprise\nx2,b,x\n");

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("main.t.id is int64 in the warehouse and text in the new data");
        result.Error.ShouldContain("nothing was loaded");
        project.Scalar("select count(*) from duckdb_columns() where table_name = 't' and column_name = 'surprise'").ShouldBe(0L);
        project.Scalar("select count(*) from t").ShouldBe(1L);
        project.Scalar("select status from _wharf.runs order by started_at desc limit 1").ShouldBe("failed");
        project.Scalar("select count(*) from _wharf.runs").ShouldBe(2L);
    }

    [Fact]
    public async Task Run_WhileAnotherProcessHoldsTheWarehouse_SaysSoAndChangesNothing()
    {
        await LoadAsync();
        using (var holder = Wharf.DuckDb.DuckDbConnections.Open(project.Warehouse))
        {
            var result = await project.RunAsync("run");
            result.ExitCode.ShouldBe(1, result.ToString());
            result.Error.ShouldContain("in use by another process");
        }

        project.Scalar("select count(*) from _wharf.runs").ShouldBe(1L);
    }
}
