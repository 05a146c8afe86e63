using Wharf.Tests.Cli;

namespace Wharf.Tests.Nested;

/// <summary>
/// Nested JSON run after run on the DuckDB warehouse: deterministic ids (by primary key or by
/// document), merge and replace on the child tables, shrinking lists, names that collide after
/// snake_case, and lists with a cursor.
/// </summary>
public sealed class NestedJsonModeTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private async Task RunAsync(string format, IReadOnlyList<string> documents, string settings)
    {
        var result = await NestedJsonRunTests.WriteOrders(project, format, documents, settings).RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());
    }

    /// <summary>Every table's rows without the run metadata, ids included, table by table.</summary>
    private List<string> Everything() =>
        [.. project.Tables().SelectMany(t => project.Rows($"SELECT '{t}', * EXCLUDE (_wharf_run_id, _wharf_loaded_at) FROM \"{t}\" ORDER BY ALL"))];

    /// <summary>The last run's audit rows: stream, status, inserted, updated, deleted, unchanged.</summary>
    private List<string> LastRun() => project.Rows("""
        SELECT stream, status, rows_inserted, rows_updated, rows_deleted, rows_unchanged FROM _wharf.runs
        WHERE run_id = (SELECT max(run_id) FROM _wharf.runs) ORDER BY stream
        """);

    [Theory]
    [InlineData("json")]
    [InlineData("ndjson")]
    public async Task Merge_SameFileTwice_KeepsEveryIdAndChangesNothing(string format)
    {
        const string settings = "mode: merge\nprimary_key: [id]";
        await RunAsync(format, NestedJsonRunTests.Documents, settings);
        var first = Everything();
        await RunAsync(format, NestedJsonRunTests.Documents, settings);

        Everything().ShouldBe(first);
        LastRun().ShouldBe([
            "orders | succeeded | 0 | 0 | 0 | 4",
            "orders__items | succeeded | 0 | 0 | 0 | 3",
            "orders__items__options | succeeded | 0 | 0 | 0 | 3",
            "orders__items__tags | succeeded | 0 | 0 | 0 | 3",
        ]);
    }

    [Theory]
    [InlineData("json", "mode: replace")]
    [InlineData("ndjson", "mode: replace")]
    [InlineData("json", "mode: append")]
    public async Task WithoutAPrimaryKey_TheSameFileGivesTheSameIds(string format, string settings)
    {
        await RunAsync(format, NestedJsonRunTests.Documents, settings);
        var first = project.Rows("SELECT DISTINCT _wharf_id FROM orders__items__options ORDER BY 1");
        var roots = project.Rows("SELECT DISTINCT _wharf_id FROM orders ORDER BY 1");
        await RunAsync(format, NestedJsonRunTests.Documents, settings);

        project.Rows("SELECT DISTINCT _wharf_id FROM orders__items__options ORDER BY 1").ShouldBe(first);
        project.Rows("SELECT DISTINCT _wharf_id FROM orders ORDER BY 1").ShouldBe(roots);
        roots.Count.ShouldBe(4);
    }

    [Fact]
    public async Task WithoutAPrimaryKey_AnotherDocumentsChangeLeavesTheOthersIds()
    {
        await RunAsync("ndjson", NestedJsonRunTests.Documents, "mode: replace");
        var before = project.Rows("SELECT id, _wharf_id FROM orders ORDER BY id");
        string[] changed = [.. NestedJsonRunTests.Documents];
        changed[1] = changed[1].Replace("\"qty\": 5", "\"qty\": 6", StringComparison.Ordinal);
        await RunAsync("ndjson", changed, "mode: replace");

        var after = project.Rows("SELECT id, _wharf_id FROM orders ORDER BY id");
        after.Where((_, i) => i != 1).ShouldBe(before.Where((_, i) => i != 1));
        after[1].ShouldNotBe(before[1], "a changed document is another document");
    }

    [Fact]
    public async Task Merge_ChangedDocument_UpdatesTheChangedItemAndAddsTheNewOne()
    {
        const string settings = "mode: merge\nprimary_key: [id]";
        await RunAsync("json", NestedJsonRunTests.Documents, settings);
        var ids = project.Rows("SELECT sku, _wharf_id FROM orders__items ORDER BY sku");
        string[] changed = [.. NestedJsonRunTests.Documents];
        changed[1] = """{"id": 2, "customer": {"name": "Bo", "address": null}, "items": [{"sku": "C-3", "qty": 6, "options": [{"name": "color", "value": "blue", "extra": null}], "tags": ["x"]}, {"sku": "D-4", "qty": 1, "options": [{"name": "size", "value": "S", "extra": {"code": 9}}], "tags": []}]}""";
        await RunAsync("json", changed, settings);

        project.Rows("""
            SELECT o.id, i._wharf_list_idx, i.sku, i.qty, i._wharf_root_id = o._wharf_id
            FROM orders__items i JOIN orders o ON i._wharf_parent_id = o._wharf_id ORDER BY o.id, i._wharf_list_idx
            """).ShouldBe(["1 | 0 | A-1 | 2 | True", "1 | 1 | B-2 | 1 | True", "2 | 0 | C-3 | 6 | True", "2 | 1 | D-4 | 1 | True"]);
        project.Rows("""
            SELECT o.id, i.sku, x._wharf_list_idx, x.name, x.value, x.extra__code, x._wharf_root_id = o._wharf_id
            FROM orders__items__options x JOIN orders__items i ON x._wharf_parent_id = i._wharf_id JOIN orders o ON i._wharf_parent_id = o._wharf_id
            ORDER BY o.id, i._wharf_list_idx, x._wharf_list_idx
            """).ShouldBe([
                "1 | A-1 | 0 | color | red | 7 | True", "1 | A-1 | 1 | size | L | 8 | True",
                "2 | C-3 | 0 | color | blue | NULL | True", "2 | D-4 | 0 | size | S | 9 | True",
            ]);
        project.Rows("SELECT count(*) FROM orders__items__tags").ShouldBe(["3"]);

        // The changed item keeps its id (its key is its place in its document's list).
        project.Rows("SELECT sku, _wharf_id FROM orders__items WHERE sku <> 'D-4' ORDER BY sku").ShouldBe(ids);
        LastRun().ShouldBe([
            "orders | succeeded | 0 | 0 | 0 | 4",
            "orders__items | succeeded | 1 | 1 | 0 | 2",
            "orders__items__options | succeeded | 1 | 0 | 0 | 3",
            "orders__items__tags | succeeded | 0 | 0 | 0 | 3",
        ]);
    }

    [Fact]
    public async Task Merge_KeyedByAFlattenedColumn_UpsertsByIt()
    {
        const string settings = "mode: merge\nprimary_key: [customer__no]";
        await RunAsync("ndjson", ["""{"customer": {"no": 1, "name": "Ana"}, "tags": ["a"]}""", """{"customer": {"no": 2, "name": "Bo"}, "tags": ["b"]}"""], settings);
        await RunAsync("ndjson", ["""{"customer": {"no": 2, "name": "Bo Updated"}, "tags": ["b", "c"]}"""], settings);

        project.Rows("SELECT customer__no, customer__name FROM orders ORDER BY 1").ShouldBe(["1 | Ana", "2 | Bo Updated"]);
        project.Rows("SELECT o.customer__no, t._wharf_list_idx, t.value FROM orders__tags t JOIN orders o ON t._wharf_parent_id = o._wharf_id ORDER BY 1, 2")
            .ShouldBe(["1 | 0 | a", "2 | 0 | b", "2 | 1 | c"]);
    }

    [Fact]
    public async Task Merge_ListThatShrank_KeepsItsOldTailUnlessDeletesAreDetected()
    {
        string[] two = ["""{"id": 1, "tags": ["a", "b", "c"]}""", """{"id": 2, "tags": ["z"]}"""];
        string[] shrunk = ["""{"id": 1, "tags": ["a"]}""", """{"id": 2, "tags": ["z"]}"""];
        const string Tags = "SELECT o.id, t._wharf_list_idx, t.value FROM orders__tags t JOIN orders o ON t._wharf_parent_id = o._wharf_id ORDER BY 1, 2";

        await RunAsync("ndjson", two, "mode: merge\nprimary_key: [id]");
        await RunAsync("ndjson", shrunk, "mode: merge\nprimary_key: [id]");
        project.Rows(Tags).ShouldBe(["1 | 0 | a", "1 | 1 | b", "1 | 2 | c", "2 | 0 | z"]);

        await RunAsync("ndjson", shrunk, "mode: merge\nprimary_key: [id]\ndetect_deletes: true");
        project.Rows(Tags).ShouldBe(["1 | 0 | a", "2 | 0 | z"]);
    }

    [Fact]
    public async Task Replace_ReplacesTheChildTablesToo()
    {
        await RunAsync("json", NestedJsonRunTests.Documents, "mode: replace");
        await RunAsync("json", ["""{"id": 9, "customer": {"name": "Eve", "address": {"city": "Braga"}}, "items": [{"sku": "Z-9", "qty": 3, "options": [{"name": "gift", "value": "yes", "extra": {"code": 1}}], "tags": []}]}"""], "mode: replace");

        project.Rows("SELECT id, customer__name, customer__address__city FROM orders").ShouldBe(["9 | Eve | Braga"]);
        project.Rows("SELECT o.id, i._wharf_list_idx, i.sku, i.qty FROM orders__items i JOIN orders o ON i._wharf_parent_id = o._wharf_id").ShouldBe(["9 | 0 | Z-9 | 3"]);
        project.Rows("SELECT count(*) FROM orders__items").ShouldBe(["1"]);
        project.Rows("""
            SELECT i.sku, x.name, x.value, x.extra__code FROM orders__items__options x JOIN orders__items i ON x._wharf_parent_id = i._wharf_id
            """).ShouldBe(["Z-9 | gift | yes | 1"]);
        project.Rows("SELECT count(*) FROM orders__items__options").ShouldBe(["1"]);
        project.Rows("SELECT count(*) FROM orders__items__tags").ShouldBe(["0"]);
    }

    [Fact]
    public async Task Replace_WhenAListIsGoneFromTheFile_EmptiesItsChildTable_AlsoOnReplay()
    {
        await RunAsync("json", ["""{"id": 1, "items": [{"sku": "A", "tags": ["x"], "options": [{"n": 1}]}]}"""], "mode: replace");
        project.Rows("SELECT count(*) FROM orders__items__tags").ShouldBe(["1"]);
        await RunAsync("json", ["""{"id": 2, "items": [{"sku": "B"}]}"""], "mode: replace");

        project.Rows("SELECT sku FROM orders__items").ShouldBe(["B"]);
        project.Rows("SELECT count(*) FROM orders__items__tags").ShouldBe(["0"]);
        project.Rows("SELECT count(*) FROM orders__items__options").ShouldBe(["0"]);
        project.Columns("orders__items__tags").ShouldContain("value VARCHAR");
        LastRun().Where(r => r.StartsWith("orders__items__", StringComparison.Ordinal)).Select(r => r.Split(" | ")[1]).ShouldBe(["succeeded", "succeeded"]);

        // The lake has the emptying too: a replay from it leaves the tables as the last run did.
        (await project.RunAsync("replay", "orders")).ExitCode.ShouldBe(0);
        project.Rows("SELECT count(*) FROM orders__items__tags").ShouldBe(["0"]);
        project.Rows("SELECT sku FROM orders__items").ShouldBe(["B"]);

        // And when the list comes back, so do its rows.
        await RunAsync("json", ["""{"id": 3, "items": [{"sku": "C", "tags": ["y", "z"]}]}"""], "mode: replace");
        project.Rows("SELECT value FROM orders__items__tags ORDER BY value").ShouldBe(["y", "z"]);
    }

    [Fact]
    public async Task Merge_WhenAListIsGoneFromTheFile_KeepsItsChildTable()
    {
        await RunAsync("json", ["""{"id": 1, "items": [{"sku": "A", "tags": ["x"]}]}"""], "mode: merge\nprimary_key: [id]");
        await RunAsync("json", ["""{"id": 2, "items": [{"sku": "B"}]}"""], "mode: merge\nprimary_key: [id]");

        project.Rows("SELECT sku FROM orders__items ORDER BY sku").ShouldBe(["A", "B"]);
        project.Rows("SELECT value FROM orders__items__tags").ShouldBe(["x"]);
    }

    [Fact]
    public async Task WithoutAPrimaryKey_IdenticalDocuments_GetTheirOwnIds()
    {
        await RunAsync("ndjson", ["""{"n": 1, "tags": ["a", "b"]}""", """{"n": 1, "tags": ["a", "b"]}"""], "mode: replace");

        project.Rows("SELECT count(*), count(DISTINCT _wharf_id) FROM orders").ShouldBe(["2 | 2"]);
        project.Rows("SELECT count(*) FROM orders__tags t JOIN orders o ON t._wharf_parent_id = o._wharf_id").ShouldBe(["4"]);
        project.Rows("SELECT count(*), count(DISTINCT _wharf_id) FROM orders__tags").ShouldBe(["4 | 4"]);
    }

    [Fact]
    public async Task ColumnsCollidingAfterSnakeCase_AreNumberedInColumnOrderTheSameEveryRun()
    {
        string[] documents = ["""{"id": 1, "a b": 10, "a_b": 11, "c": {"x y": 20, "x_y": 21}, "c__x_y": 22, "items": [{"p q": 30, "p_q": 31}], "a-b": [40], "a.b": [41]}"""];
        await RunAsync("json", documents, "mode: replace");
        var first = Everything();

        project.Tables().ShouldBe(["orders", "orders__a_b", "orders__a_b_2", "orders__items"]);
        project.Columns("orders").ShouldBe(
            ["id BIGINT", "a_b BIGINT", "a_b_2 BIGINT", "c__x_y BIGINT", "c__x_y_2 BIGINT", "c__x_y_3 BIGINT", "_wharf_id VARCHAR"]);
        project.Rows("SELECT a_b, a_b_2, c__x_y, c__x_y_2, c__x_y_3 FROM orders").ShouldBe(["10 | 11 | 20 | 21 | 22"]);
        project.Columns("orders__items").ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "p_q BIGINT", "p_q_2 BIGINT", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        project.Rows("SELECT p_q, p_q_2 FROM orders__items").ShouldBe(["30 | 31"]);
        project.Rows("SELECT value FROM orders__a_b").ShouldBe(["40"]);
        project.Rows("SELECT value FROM orders__a_b_2").ShouldBe(["41"]);

        await RunAsync("json", documents, "mode: replace");
        Everything().ShouldBe(first);
    }

    [Fact]
    public async Task Cursor_WithLists_CommitsTheListsOfTheRecordsPastTheWatermark_WithThem()
    {
        const string Settings = "mode: merge\nprimary_key: [id]\ncursor: id";
        await RunAsync("ndjson", NestedJsonRunTests.Documents, Settings);

        project.Tables().ShouldBe(["orders", "orders__items", "orders__items__options", "orders__items__tags"]);
        project.Rows("SELECT o.id, i.sku, t.value FROM orders__items__tags t JOIN orders__items i ON t._wharf_parent_id = i._wharf_id JOIN orders o ON i._wharf_parent_id = o._wharf_id ORDER BY 1, 2, 3")
            .ShouldBe(["1 | A-1 | new", "1 | A-1 | sale", "2 | C-3 | x"]);

        // Order 2 changes without moving the cursor (not read again); order 5 is new; order 4 is read again at the bound.
        string[] later = [NestedJsonRunTests.Documents[0], NestedJsonRunTests.Documents[1].Replace("\"x\"", "\"changed\"", StringComparison.Ordinal), NestedJsonRunTests.Documents[2], NestedJsonRunTests.Documents[3],
            """{"id": 5, "customer": {"name": "Eva"}, "items": [{"sku": "E-5", "qty": 9, "options": [{"name": "gift", "value": "yes", "extra": null}], "tags": ["late"]}]}"""];
        await RunAsync("ndjson", later, Settings);

        project.Rows("SELECT o.id, i.sku, t.value FROM orders__items__tags t JOIN orders__items i ON t._wharf_parent_id = i._wharf_id JOIN orders o ON i._wharf_parent_id = o._wharf_id ORDER BY 1, 2, 3")
            .ShouldBe(["1 | A-1 | new", "1 | A-1 | sale", "2 | C-3 | x", "5 | E-5 | late"]);
        project.Rows("SELECT count(*) FROM orders__items__options").ShouldBe(["4"]);
        project.Rows("SELECT stream, rows_extracted, rows_inserted, status FROM _wharf.runs ORDER BY started_at, stream").ShouldBe([
            "orders | 4 | 4 | succeeded", "orders__items | 3 | 3 | succeeded", "orders__items__options | 3 | 3 | succeeded", "orders__items__tags | 3 | 3 | succeeded",
            "orders | 2 | 1 | succeeded", "orders__items | 1 | 1 | succeeded", "orders__items__options | 1 | 1 | succeeded", "orders__items__tags | 1 | 1 | succeeded",
        ]);
    }

    [Fact]
    public async Task Cursor_WithListsAndDeleteDetection_FailsWithTheClearErrorAndLoadsNothing()
    {
        var result = await NestedJsonRunTests.WriteOrders(project, "ndjson", NestedJsonRunTests.Documents, "mode: merge\nprimary_key: [id]\ncursor: id\ndetect_deletes: true").RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("its JSON has lists (items, items.options, items.tags), which become child tables, and under a cursor the rows of child tables are not deleted with their parents yet");
        result.Error.ShouldContain("Remove 'detect_deletes:' (or 'cursor:'), or keep the lists as JSON columns with 'max_nesting: 0'");
        project.Tables().ShouldBeEmpty();
        project.Rows("SELECT status FROM _wharf.runs").ShouldBe(["failed"]);
    }

    [Fact]
    public async Task Cursor_WithMaxNestingZero_LoadsTheListsAsJson()
    {
        await RunAsync("ndjson", NestedJsonRunTests.Documents, "mode: merge\nprimary_key: [id]\ncursor: id\nmax_nesting: 0");

        project.Tables().ShouldBe(["orders"]);
        project.Rows("SELECT id, json_array_length(items) FROM orders ORDER BY id").ShouldBe(["1 | 2", "2 | 1", "3 | NULL", "4 | 0"]);
    }

    [Fact]
    public async Task Cursor_WithObjectsButNoLists_FlattensThem()
    {
        await RunAsync("ndjson", ["""{"id": 1, "customer": {"name": "Ana"}}""", """{"id": 2, "customer": {"name": "Bo"}}"""], "mode: merge\nprimary_key: [id]\ncursor: id");

        project.Tables().ShouldBe(["orders"]);
        project.Rows("SELECT id, customer__name FROM orders ORDER BY id").ShouldBe(["1 | Ana", "2 | Bo"]);
    }
}
