using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Wharf.Tests.Cli;

/// <summary>
/// <c>wharf run --source …</c> without a project file, through the real CLI: files and SQLite into
/// DuckDB, with the same audit, lake and write modes as a pipeline of wharf.yml.
/// </summary>
public sealed class OneLineRunTests : IDisposable
{
    private readonly TempProject folder = new();
    private readonly TempProject data = new();

    public void Dispose()
    {
        folder.Dispose();
        data.Dispose();
    }

    private Task<WharfProcess.Result> RunAsync(params string[] args) => folder.RunAsync(["run", .. args]);

    /// <summary>A query's rows through <c>wharf query</c> (which reads the folder's warehouse.duckdb without a wharf.yml), values joined by " | ".</summary>
    private async Task<List<string>> RowsAsync(string sql)
    {
        var result = await folder.RunAsync("query", sql, "--format", "csv");
        result.ExitCode.ShouldBe(0, result.ToString());
        return [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Replace(",", " | ", StringComparison.Ordinal))];
    }

    private static void Sqlite(string file, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task CsvGlob_FromAnEmptyFolder_LoadsIntoDuckDb_WithTheAuditAndLakeOfAPipeline()
    {
        data.Write("orders/2026-01.csv", "id,amount\n1,10.50\n2,20.25\n").Write("orders/2026-02.csv", "id,amount\n3,30.00\n");

        var result = await RunAsync("--source", Path.Combine(data.Root, "orders", "*.csv"));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("3 rows into main.orders");
        Directory.EnumerateFileSystemEntries(folder.Root).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToList()
            .ShouldBe([".wharf", "lake", "warehouse.duckdb"], "the warehouse and the lake default to the current folder");
        (await RowsAsync("select id, amount from main.orders order by id")).ShouldBe(["1 | 10.50", "2 | 20.25", "3 | 30.00"]);
        (await RowsAsync("select pipeline, stream, source, target, mode, status, rows_extracted, rows_loaded from _wharf.runs"))
            .ShouldBe([$"orders | orders | {Path.Combine(data.Root, "orders")}: 2 csv files matching *.csv | main.orders | append | succeeded | 3 | 3"]);
        folder.LakeFiles().ShouldHaveSingleItem().ShouldStartWith(Path.Combine(folder.Lake, "orders", "orders") + Path.DirectorySeparatorChar);

        var runs = await folder.RunAsync("runs", "--format", "json");
        runs.ExitCode.ShouldBe(0, runs.ToString());
        var run = JsonDocument.Parse(runs.Output).RootElement.EnumerateArray().ShouldHaveSingleItem();
        run.GetProperty("pipeline").GetString().ShouldBe("orders");
        run.GetProperty("rows_loaded").GetInt64().ShouldBe(3);
        var query = await folder.RunAsync("query", "select count(*) as n from orders", "--format", "csv");
        query.Output.ShouldBe("n\n3\n", query.ToString());
    }

    [Fact]
    public async Task FolderAndFiles_WithTableSchemaAndLake_NameThePipelineAfterItsTarget()
    {
        data.Write("in/a.csv", "id,name\n1,x\n").Write("in/b.csv", "id,name\n2,y\n").Write("in/skip.txt", "not data");

        var result = await RunAsync("--source", Path.Combine(data.Root, "in"), "--files", "*.csv", "--table", "people", "--schema", "raw", "--lake", "my-lake", "--format", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var stream = JsonDocument.Parse(result.Output).RootElement.GetProperty("streams").EnumerateArray().ShouldHaveSingleItem();
        stream.GetProperty("pipeline").GetString().ShouldBe("raw__people");
        stream.GetProperty("target").GetString().ShouldBe("raw.people");
        (await RowsAsync("select id, name from raw.people order by id")).ShouldBe(["1 | x", "2 | y"]);
        Directory.Exists(Path.Combine(folder.Root, "my-lake", "raw__people", "people")).ShouldBeTrue();
        Directory.Exists(folder.Lake).ShouldBeFalse();
    }

    [Fact]
    public async Task SqliteTables_LoadEachTableUnderItsOwnName()
    {
        var shop = Path.Combine(data.Root, "shop.db");
        Sqlite(shop, """
            create table customers (id integer primary key, name text not null);
            create table orders (id integer primary key, customer_id integer references customers(id), amount real);
            create table audit_log (id integer primary key, what text);
            insert into customers values (1, 'Ana'), (2, 'Li');
            insert into orders values (10, 1, 5.5), (11, 2, 7.25), (12, 1, 1.0);
            insert into audit_log values (1, 'x');
            """);

        var result = await RunAsync("--source", $"sqlite://{shop}", "--tables", "*,!audit_log", "--schema", "shop");

        result.ExitCode.ShouldBe(0, result.ToString());
        (await RowsAsync("select count(*) from shop.customers")).ShouldBe(["2"]);
        (await RowsAsync("select count(*) from shop.orders")).ShouldBe(["3"]);
        (await RowsAsync("select count(*) from information_schema.tables where table_name = 'audit_log'")).ShouldBe(["0"]);
        (await RowsAsync("select pipeline, stream, target, status from _wharf.runs order by finished_at"))
            .ShouldBe(["shop__shop | customers | shop.customers | succeeded", "shop__shop | orders | shop.orders | succeeded"]);
    }

    [Fact]
    public async Task MergeWithPrimaryKey_Twice_UpdatesInPlace_WithoutDuplicates()
    {
        data.Write("prices.csv", "sku,price\nA,1.00\nB,2.00\n");
        string[] args = ["--source", Path.Combine(data.Root, "prices.csv"), "--mode", "merge", "--primary-key", "sku"];
        (await RunAsync(args)).ExitCode.ShouldBe(0);
        data.Write("prices.csv", "sku,price\nA,1.50\nB,2.00\nC,3.00\n");

        var second = await RunAsync([.. args, "--format", "json"]);

        second.ExitCode.ShouldBe(0, second.ToString());
        (await RowsAsync("select sku, price from prices order by sku")).ShouldBe(["A | 1.50", "B | 2.00", "C | 3.00"]);
        var stream = JsonDocument.Parse(second.Output).RootElement.GetProperty("streams")[0];
        stream.GetProperty("rows_inserted").GetInt64().ShouldBe(1);
        stream.GetProperty("rows_updated").GetInt64().ShouldBe(1);
        stream.GetProperty("rows_unchanged").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task SqliteQueryWithCursor_SecondRun_LoadsOnlyNewRows()
    {
        var events = Path.Combine(data.Root, "events.sqlite");
        Sqlite(events, "create table events (id integer primary key, kind text); insert into events values (1, 'a'), (2, 'b'), (3, 'c');");
        string[] args = ["--source", $"sqlite:{events}", "--query", "select id, kind from events", "--table", "events", "--cursor", "id", "--format", "json"];
        (await RunAsync(args)).ExitCode.ShouldBe(0);
        Sqlite(events, "insert into events values (4, 'd'), (5, 'e');");

        var second = await RunAsync(args);

        second.ExitCode.ShouldBe(0, second.ToString());
        var stream = JsonDocument.Parse(second.Output).RootElement.GetProperty("streams")[0];
        stream.GetProperty("watermark_before").GetString().ShouldBe("id=3");
        stream.GetProperty("watermark_after").GetString().ShouldBe("id=5");
        stream.GetProperty("rows_inserted").GetInt64().ShouldBe(2);
        (await RowsAsync("select id from events order by id")).ShouldBe(["1", "2", "3", "4", "5"]);
        (await RowsAsync("select rows_loaded from _wharf.runs order by started_at")).ShouldBe(["3", "2"]);
    }

    [Fact]
    public async Task MissingFile_FailsTheRun_WithExitCode1_AndRecordsIt()
    {
        var result = await RunAsync("--source", Path.Combine(data.Root, "missing.csv"));

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain($"the file {Path.Combine(data.Root, "missing.csv")} does not exist");
        result.Error.ShouldContain("(wharf run --source)");
        (await RowsAsync("select pipeline, status from _wharf.runs")).ShouldBe(["missing | failed"]);
    }
}
