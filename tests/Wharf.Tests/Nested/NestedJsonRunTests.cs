using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Tests.Cli;

namespace Wharf.Tests.Nested;

/// <summary>
/// <c>wharf run</c> on nested JSON and NDJSON files into the DuckDB warehouse: objects become
/// <c>parent__child</c> columns, lists child tables linked to their parent and root, to three
/// levels; lists of scalars, empty and null lists; <c>max_nesting</c>.
/// </summary>
public sealed class NestedJsonRunTests : IDisposable
{
    /// <summary>
    /// Orders (level 1) with items (level 2, a list of objects) with options (level 3, a list of
    /// objects holding an object) and tags (a list of scalars); empty and null lists at each level.
    /// </summary>
    internal static readonly string[] Documents =
    [
        """{"id": 1, "customer": {"name": "Ana", "address": {"city": "Lisboa"}}, "items": [{"sku": "A-1", "qty": 2, "options": [{"name": "color", "value": "red", "extra": {"code": 7}}, {"name": "size", "value": "L", "extra": {"code": 8}}], "tags": ["new", "sale"]}, {"sku": "B-2", "qty": 1, "options": [], "tags": null}]}""",
        """{"id": 2, "customer": {"name": "Bo", "address": null}, "items": [{"sku": "C-3", "qty": 5, "options": [{"name": "color", "value": "blue", "extra": null}], "tags": ["x"]}]}""",
        """{"id": 3, "customer": null, "items": null}""",
        """{"id": 4, "customer": {"name": "Di", "address": {"city": "Faro"}}, "items": []}""",
    ];

    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    /// <summary>The documents as data/orders.json (an array) or data/orders.ndjson (one per line), and a pipeline <c>orders</c> on it.</summary>
    internal static TempProject WriteOrders(TempProject project, string format, IReadOnlyList<string> documents, string settings = "mode: replace")
    {
        var file = $"orders.{format}";
        var text = format == "json" ? "[\n" + string.Join(",\n", documents) + "\n]\n" : string.Join("\n", documents) + "\n";
        var extra = string.Join("\n", settings.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => "    " + l));
        return project.Write($"data/{file}", text).WithPipelines($"""
              orders:
                source: local
                files: "{file}"
                table: orders
            {extra}
            """);
    }

    private async Task RunAsync(string format, IReadOnlyList<string> documents, string settings = "mode: replace")
    {
        var result = await WriteOrders(project, format, documents, settings).RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("ndjson")]
    public async Task Run_ThreeLevelDocument_GivesExactlyTheExpectedTablesColumnsAndRows(string format)
    {
        await RunAsync(format, Documents);

        project.Tables().ShouldBe(["orders", "orders__items", "orders__items__options", "orders__items__tags"]);
        project.Columns("orders").ShouldBe(["id BIGINT", "customer__name VARCHAR", "customer__address__city VARCHAR", "_wharf_id VARCHAR"]);
        project.Columns("orders__items").ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "sku VARCHAR", "qty BIGINT", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        project.Columns("orders__items__options").ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "name VARCHAR", "value VARCHAR", "extra__code BIGINT", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        project.Columns("orders__items__tags").ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "value VARCHAR", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);

        project.Rows("SELECT id, customer__name, customer__address__city FROM orders ORDER BY id").ShouldBe([
            "1 | Ana | Lisboa", "2 | Bo | NULL", "3 | NULL | NULL", "4 | Di | Faro",
        ]);

        // Each child row, through its parent: the parent's _wharf_id is the child's _wharf_parent_id,
        // the top document's _wharf_id its _wharf_root_id, and list positions start at 0.
        project.Rows("""
            SELECT o.id, i._wharf_list_idx, i.sku, i.qty, i._wharf_root_id = o._wharf_id
            FROM orders__items i JOIN orders o ON i._wharf_parent_id = o._wharf_id ORDER BY o.id, i._wharf_list_idx
            """).ShouldBe(["1 | 0 | A-1 | 2 | True", "1 | 1 | B-2 | 1 | True", "2 | 0 | C-3 | 5 | True"]);
        project.Rows("""
            SELECT o.id, i.sku, x._wharf_list_idx, x.name, x.value, x.extra__code, x._wharf_root_id = o._wharf_id
            FROM orders__items__options x JOIN orders__items i ON x._wharf_parent_id = i._wharf_id JOIN orders o ON i._wharf_parent_id = o._wharf_id
            ORDER BY o.id, i._wharf_list_idx, x._wharf_list_idx
            """).ShouldBe(["1 | A-1 | 0 | color | red | 7 | True", "1 | A-1 | 1 | size | L | 8 | True", "2 | C-3 | 0 | color | blue | NULL | True"]);
        project.Rows("""
            SELECT o.id, i.sku, t._wharf_list_idx, t.value, t._wharf_root_id = o._wharf_id
            FROM orders__items__tags t JOIN orders__items i ON t._wharf_parent_id = i._wharf_id JOIN orders o ON i._wharf_parent_id = o._wharf_id
            ORDER BY o.id, i._wharf_list_idx, t._wharf_list_idx
            """).ShouldBe(["1 | A-1 | 0 | new | True", "1 | A-1 | 1 | sale | True", "2 | C-3 | 0 | x | True"]);

        // No child row without its parent, nothing from the empty and null lists, and ids unique and 32 hex digits.
        foreach (var (table, rows) in new[] { ("orders", 4L), ("orders__items", 3L), ("orders__items__options", 3L), ("orders__items__tags", 3L) })
        {
            project.Rows($"SELECT count(*), count(DISTINCT _wharf_id), count(*) FILTER (WHERE NOT regexp_full_match(_wharf_id, '[0-9a-f]{{32}}')) FROM {table}")
                .ShouldBe([$"{rows} | {rows} | 0"], table);
        }
    }

    [Theory]
    [InlineData("json")]
    [InlineData("ndjson")]
    public async Task Run_EachTable_IsItsOwnStreamWithItsOwnLakeFilesAndAuditRow(string format)
    {
        await RunAsync(format, Documents);

        project.Rows("SELECT stream, target, status, rows_extracted, rows_loaded FROM _wharf.runs ORDER BY stream").ShouldBe([
            "orders | main.orders | succeeded | 4 | 4",
            "orders__items | main.orders__items | succeeded | 3 | 3",
            "orders__items__options | main.orders__items__options | succeeded | 3 | 3",
            "orders__items__tags | main.orders__items__tags | succeeded | 3 | 3",
        ]);
        project.Rows("SELECT count(DISTINCT run_id) FROM _wharf.runs").ShouldBe(["1"]);
        project.LakeFiles().Select(f => Path.GetRelativePath(project.Lake, f).Split(Path.DirectorySeparatorChar)[1]).ShouldBe(
            ["orders", "orders__items", "orders__items__options", "orders__items__tags"], ignoreOrder: true);
    }

    [Fact]
    public async Task Run_ListOfScalars_GivesAValueColumnKeepingNullsAndPositions()
    {
        await RunAsync("ndjson", ["""{"id": 1, "scores": [1.5, null, 3.25], "words": ["a"]}""", """{"id": 2, "scores": [0.5], "words": ["b", "c"]}"""]);

        project.Tables().ShouldBe(["orders", "orders__scores", "orders__words"]);
        project.Columns("orders__scores").ShouldBe(["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "value DOUBLE", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        project.Rows("SELECT o.id, s._wharf_list_idx, s.value FROM orders__scores s JOIN orders o ON s._wharf_parent_id = o._wharf_id ORDER BY 1, 2")
            .ShouldBe(["1 | 0 | 1.5", "1 | 1 | NULL", "1 | 2 | 3.25", "2 | 0 | 0.5"]);
        project.Rows("SELECT o.id, w._wharf_list_idx, w.value FROM orders__words w JOIN orders o ON w._wharf_parent_id = o._wharf_id ORDER BY 1, 2")
            .ShouldBe(["1 | 0 | a", "2 | 0 | b", "2 | 1 | c"]);
    }

    [Fact]
    public async Task Run_EmptyAndNullListsAndMissingFields_GiveNoChildRows()
    {
        await RunAsync("json", [
            """{"id": 1, "tags": []}""",
            """{"id": 2, "tags": null}""",
            """{"id": 3}""",
            """{"id": 4, "tags": ["only"]}""",
        ]);

        project.Rows("SELECT id FROM orders ORDER BY id").ShouldBe(["1", "2", "3", "4"]);
        project.Rows("SELECT o.id, t._wharf_list_idx, t.value FROM orders__tags t JOIN orders o ON t._wharf_parent_id = o._wharf_id")
            .ShouldBe(["4 | 0 | only"]);
        project.Rows("SELECT count(*) FROM orders__tags").ShouldBe(["1"]);
    }

    [Fact]
    public async Task Run_ListsThatAreAlwaysEmpty_GiveAnEmptyChildTable()
    {
        await RunAsync("json", ["""{"id": 1, "tags": []}""", """{"id": 2, "tags": []}"""]);

        project.Tables().ShouldBe(["orders", "orders__tags"]);
        project.Rows("SELECT count(*) FROM orders__tags").ShouldBe(["0"]);
    }

    [Fact]
    public async Task Run_MaxNestingZero_KeepsEveryObjectAndListAsJsonText()
    {
        await RunAsync("json", Documents, "mode: replace\nmax_nesting: 0");

        project.Tables().ShouldBe(["orders"]);
        project.Columns("orders").ShouldBe(["id BIGINT", "customer JSON", "items JSON"]);
        var rows = project.Rows("SELECT id, customer, items FROM orders ORDER BY id").Select(r => r.Split(" | ")).ToList();
        rows.Count.ShouldBe(4);
        for (var i = 0; i < Documents.Length; i++)
        {
            var document = JsonNode.Parse(Documents[i])!;
            SameJson(rows[i][1], document["customer"]);
            SameJson(rows[i][2], document["items"]);
        }
    }

    [Fact]
    public async Task Run_MaxNestingOne_UnpacksTheFirstLevelAndKeepsDeeperValuesAsJson()
    {
        await RunAsync("ndjson", Documents, "mode: replace\nmax_nesting: 1");

        project.Tables().ShouldBe(["orders", "orders__items"]);
        project.Columns("orders").ShouldBe(["id BIGINT", "customer__name VARCHAR", "customer__address JSON", "_wharf_id VARCHAR"]);
        project.Columns("orders__items").ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "sku VARCHAR", "qty BIGINT", "options JSON", "tags JSON", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        var addresses = project.Rows("SELECT customer__address FROM orders ORDER BY id");
        for (var i = 0; i < Documents.Length; i++)
        {
            SameJson(addresses[i], JsonNode.Parse(Documents[i])!["customer"]?["address"]);
        }

        var items = project.Rows("SELECT o.id, i._wharf_list_idx, i.options, i.tags FROM orders__items i JOIN orders o ON i._wharf_parent_id = o._wharf_id ORDER BY 1, 2")
            .Select(r => r.Split(" | ")).ToList();
        items.Select(r => $"{r[0]}.{r[1]}").ShouldBe(["1.0", "1.1", "2.0"]);
        foreach (var item in items)
        {
            var source = JsonNode.Parse(Documents[int.Parse(item[0], System.Globalization.CultureInfo.InvariantCulture) - 1])!["items"]![int.Parse(item[1], System.Globalization.CultureInfo.InvariantCulture)]!;
            SameJson(item[2], source["options"]);
            SameJson(item[3], source["tags"]);
        }
    }

    [Fact]
    public async Task Run_MaxNestingTwo_UnpacksTwoLevelsAndKeepsTheThirdAsJson()
    {
        await RunAsync("json", Documents, "mode: replace\nmax_nesting: 2");

        project.Tables().ShouldBe(["orders", "orders__items", "orders__items__options", "orders__items__tags"]);
        project.Columns("orders").ShouldBe(["id BIGINT", "customer__name VARCHAR", "customer__address__city VARCHAR", "_wharf_id VARCHAR"]);
        project.Columns("orders__items__options").ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "name VARCHAR", "value VARCHAR", "extra JSON", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        var extras = project.Rows("""
            SELECT x.extra FROM orders__items__options x JOIN orders__items i ON x._wharf_parent_id = i._wharf_id JOIN orders o ON i._wharf_parent_id = o._wharf_id
            ORDER BY o.id, i._wharf_list_idx, x._wharf_list_idx
            """);
        extras.Count.ShouldBe(3);
        SameJson(extras[0], JsonNode.Parse("""{"code": 7}"""));
        SameJson(extras[1], JsonNode.Parse("""{"code": 8}"""));
        extras[2].ShouldBe("NULL");
    }

    /// <summary>A warehouse value read back as JSON text equals the source's value (NULL for a null or missing one).</summary>
    private static void SameJson(string actual, JsonNode? expected)
    {
        if (expected is null)
        {
            actual.ShouldBe("NULL");
            return;
        }

        JsonNode.DeepEquals(JsonNode.Parse(actual), expected).ShouldBeTrue($"{actual} is not {expected.ToJsonString(new JsonSerializerOptions { WriteIndented = false })}");
    }
}
