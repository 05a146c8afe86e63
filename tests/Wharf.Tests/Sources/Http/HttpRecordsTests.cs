using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// What the records become: nested objects columns, lists child tables (the rules of JSON files),
/// every value exact (big integers, long decimals, decimals sent as text, unicode, nulls, names
/// with spaces); and bad answers (not JSON, an HTML page with 200, no records where configured, a
/// schema that changes between pages), each refused naming the URL and page, with nothing loaded.
/// </summary>
public sealed class HttpRecordsTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private Task<WharfProcess.Result> RunAsync(ApiServer server, string settings = "")
    {
        project.WithApi(server.Url, $"""
              orders:
                source: api
                endpoint: /orders
                paginate: {"{"} type: page_number {"}"}
                {settings}
            """);
        return project.RunAsync("run");
    }

    private static Func<ApiContext, Task> Pages(params string[] pages) =>
        c => c.QueryInt("page", 1) is var page && page <= pages.Length ? c.Json(pages[page - 1]) : c.Json("""{"data": []}""");

    [Fact]
    public async Task NestedRecords_BecomeColumnsAndChildTables_WithEveryValueExact()
    {
        await using var server = await ApiServer.StartAsync("/orders", Pages(
            """{"data": [{"id": 1, "big": 123456789012345678901234567890, "ratio": 0.1, "long_decimal": 3.14159265358979323846264338327950288, "price": "12.30", "name": "Zoë ✓ 😀", "note": null, "with space": "yes", "customer": {"name": "Ana", "address": {"city": "Lisboa"}}, "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}]}]}""",
            """{"data": [{"id": 2, "big": 7, "ratio": 2.5, "long_decimal": 1, "price": "0.10", "name": "Bo", "note": "n", "with space": "no", "customer": {"name": "Bo", "address": null}, "items": []}]}"""));

        var result = await RunAsync(server, "records: data");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Tables().ShouldBe(["orders", "orders__items"]);
        project.Rows("SELECT id, big, ratio, long_decimal, price, name, note, with_space, customer__name, customer__address__city FROM orders ORDER BY id").ShouldBe([
            "1 | 123456789012345678901234567890 | 0.1 | 3.14159265358979323846264338327950288 | 12.30 | Zoë ✓ 😀 | NULL | yes | Ana | Lisboa",
            "2 | 7 | 2.5 | 1 | 0.10 | Bo | n | no | Bo | NULL",
        ]);
        project.Rows("SELECT o.id, i._wharf_list_idx, i.sku, i.qty FROM orders__items i JOIN orders o ON i._wharf_parent_id = o._wharf_id ORDER BY o.id, i._wharf_list_idx")
            .ShouldBe(["1 | 0 | A-1 | 2", "1 | 1 | B-2 | 1"]);
    }

    /// <summary>
    /// Dates and times the reader detects keep their values whether the records are read again with
    /// their types given (plain ISO) or typed again (other formats, which a given type reads
    /// differently: <c>24-01-02</c> would be the year 24, an offset would be dropped).
    /// </summary>
    [Theory]
    [InlineData("plain ISO", "2024-01-02", "2024-01-02T10:00:00Z", "2024-01-02T11:30:00Z", "2024-01-02", "2024-01-02 10:00:00", "2024-01-02 11:30:00")]
    [InlineData("two-digit year", "24-01-02", "2024-01-02T10:00:00Z", "2024-01-02T11:30:00Z", "2024-01-02", "2024-01-02 10:00:00", "2024-01-02 11:30:00")]
    [InlineData("UTC offset", "2024-01-02", "2024-01-02T10:00:00+02:00", "2024-01-02T11:30:00+02:00", "2024-01-02", "2024-01-02 08:00:00", "2024-01-02 09:30:00")]
    public async Task DatesAndTimes_KeepTheirValues_WhateverTheirFormat(string _, string day, string at, string laterAt, string expectedDay, string expectedAt, string later)
    {
        await using var server = await ApiServer.StartAsync("/orders", Pages(
            $$"""{"data": [{"id": 1, "day": "{{day}}", "seen_at": "{{at}}", "clock": "10:00:00", "shipping": {"on": "{{day}}"}, "events": [{"seen_at": "{{at}}"}]}]}""",
            $$"""{"data": [{"id": 2, "day": null, "seen_at": "{{laterAt}}", "clock": "23:59:59.25", "shipping": {"on": null}, "events": [{"seen_at": "{{laterAt}}"}, {"seen_at": null}]}]}"""));

        var result = await RunAsync(server, "records: data");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT typeof(day), typeof(seen_at), typeof(clock), typeof(shipping__on) FROM orders LIMIT 1").ShouldBe(["DATE | TIMESTAMP | TIME | DATE"]);
        project.Rows("SELECT id, CAST(day AS VARCHAR), CAST(seen_at AS VARCHAR), CAST(clock AS VARCHAR), CAST(shipping__on AS VARCHAR) FROM orders ORDER BY id").ShouldBe([
            $"1 | {expectedDay} | {expectedAt} | 10:00:00 | {expectedDay}",
            $"2 | NULL | {later} | 23:59:59.25 | NULL",
        ]);
        project.Rows("SELECT CAST(e.seen_at AS VARCHAR) FROM orders__events e ORDER BY e.seen_at NULLS LAST").ShouldBe([expectedAt, later, "NULL"]);
    }

    /// <summary>Wide records are written in short Parquet row groups (about 32 MB, bench/README.md "Wide rows"), in the order they came.</summary>
    [Fact]
    public async Task WideRecords_AreWrittenInShortRowGroups_InTheirOrder()
    {
        var note = new string('x', 16_000);
        await using var server = await ApiServer.StartAsync("/orders", c => c.QueryInt("page", 1) is var page && page <= 3
            ? c.Json($$"""{"data": [{{string.Join(", ", Enumerable.Range((page - 1) * 1000, 1000).Select(i => $$"""{"id": {{i}}, "note": "{{note}}"}"""))}}]}""")
            : c.Json("""{"data": []}"""));

        var result = await RunAsync(server, "records: data");

        result.ExitCode.ShouldBe(0, result.ToString());
        var part = Quote.Literal(Directory.GetFiles(project.Lake, "*.parquet", SearchOption.AllDirectories).ShouldHaveSingleItem());
        project.Rows($"SELECT count(*) > 1, max(row_group_num_rows) <= 4096, sum(row_group_num_rows) FROM parquet_metadata({part}) WHERE column_id = 0")
            .ShouldBe(["True | True | 3000"], "3,000 records of 16 KB in groups of about 32 MB");
        project.Rows($"SELECT count(*) FROM (SELECT id - lag(id) OVER (ORDER BY file_row_number) AS step FROM read_parquet({part}, file_row_number = true)) WHERE step <> 1")
            .ShouldBe(["0"]);
    }

    [Fact]
    public async Task Manifest_RecordsEveryPageUrlAndStatus()
    {
        await using var server = await ApiServer.StartAsync("/orders", Pages("""{"data": [{"id": 1}]}""", """{"data": [{"id": 2}]}"""));

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(0, result.ToString());
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(project.LakeFiles("*.manifest.json").Single()));
        manifest.RootElement.GetProperty("source_files").EnumerateArray().Select(f => f.GetString()).ShouldBe([
            $"GET {server.Url}/orders?page=1 -> 200", $"GET {server.Url}/orders?page=2 -> 200", $"GET {server.Url}/orders?page=3 -> 200"]);
        Directory.Exists(Path.Combine(project.Lake, "orders", ".spool")).ShouldBeTrue();
        Directory.GetFileSystemEntries(Path.Combine(project.Lake, "orders", ".spool")).ShouldBeEmpty("the spooled pages are gone once in the lake");
    }

    [Fact]
    public async Task BytesRead_IsEveryBodyTheApiSent()
    {
        string[] pages = [
            """{"data": [{"id": 1, "name": "Zoë ✓"}, {"id": 2, "name": "Bo"}]}""",
            """{"data": [{"id": 3, "name": "Ana"}]}""",
            """{"data": []}""",
        ];
        await using var server = await ApiServer.StartAsync("/orders", Pages(pages[0], pages[1]));

        var result = await RunAsync(server, "records: data");

        result.ExitCode.ShouldBe(0, result.ToString());
        var sent = pages.Sum(p => System.Text.Encoding.UTF8.GetByteCount(p));
        project.Scalar("SELECT bytes_read FROM _wharf.runs").ShouldBe((long)sent);
    }

    [Theory]
    [InlineData("text/plain", "this is not json at all", "it is not valid JSON")]
    [InlineData("text/html", "<!DOCTYPE html><html><title>Down for maintenance</title></html>", "it is an HTML page (text/html), not JSON")]
    [InlineData("application/json", """{"results": [{"id": 1}]}""", "it has no 'data' (records:); its top-level keys are: results")]
    [InlineData("application/json", """{"data": {"id": 1}}""", "its 'data' (records:) is an object, not a list of records")]
    public async Task BadSecondPage_IsRefused_NamingTheUrlAndPage_AndNothingIsLoaded(string contentType, string body, string expected)
    {
        await using var server = await ApiServer.StartAsync("/orders", c => c.QueryInt("page", 1) == 1 ? c.Json("""{"data": [{"id": 1}]}""") : c.Text(body, contentType));

        var result = await RunAsync(server, "records: data");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain($"Pipeline 'orders': page 2 ({server.Url}/orders?page=2) answered, but {expected}");
        result.Error.ShouldContain("Nothing was loaded.");
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'orders'").ShouldBe(["0"]);
        project.Rows("SELECT status FROM _wharf.runs").ShouldBe(["failed"]);
    }

    [Fact]
    public async Task SchemaThatChangesBetweenPages_IsRefused_NamingBothPages()
    {
        await using var server = await ApiServer.StartAsync("/orders", Pages(
            """[{"id": 1, "customer": {"name": "Ana"}}]""",
            """[{"id": 2, "customer": {"name": "Bo"}}]""",
            """[{"id": 3, "customer": "Cy"}]"""));

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain($"page 3 ({server.Url}/orders?page=3) changes the records' schema: the field customer is a string (\"Cy\"), but it was an object from page 1 on");
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'orders'").ShouldBe(["0"]);
    }
}
