using System.Text.Json.Nodes;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Nested;

/// <summary>
/// Nested JSON loaded into the PostgreSQL warehouse (and the DuckDB one, the same way): a
/// three-level document's tables, values and links exactly; values past <c>max_nesting</c> as
/// <c>jsonb</c>; a second run of a changed document in merge mode; a shrinking list with delete
/// detection; replace.
/// </summary>
public sealed class NestedJsonWarehouseTests(PostgresServer postgres)
{
    /// <summary>
    /// Orders (level 1) with items (level 2, a list of objects) with options (level 3, a list of
    /// objects holding an object) and tags (a list of scalars); empty and null lists at each level.
    /// </summary>
    private static readonly string[] Documents =
    [
        """{"id": 1, "customer": {"name": "Ana", "address": {"city": "Lisboa"}}, "items": [{"sku": "A-1", "qty": 2, "options": [{"name": "color", "value": "red", "extra": {"code": 7}}, {"name": "size", "value": "L", "extra": {"code": 8}}], "tags": ["new", "sale"]}, {"sku": "B-2", "qty": 1, "options": [], "tags": null}]}""",
        """{"id": 2, "customer": {"name": "Bo", "address": null}, "items": [{"sku": "C-3", "qty": 5, "options": [{"name": "color", "value": "blue", "extra": null}], "tags": ["x"]}]}""",
        """{"id": 3, "customer": null, "items": null}""",
        """{"id": 4, "customer": {"name": "Di", "address": {"city": "Faro"}}, "items": []}""",
    ];

    private const string Items = """
        SELECT o.id, i._wharf_list_idx, i.sku, i.qty, i._wharf_root_id = o._wharf_id
        FROM raw.orders__items i JOIN raw.orders o ON i._wharf_parent_id = o._wharf_id ORDER BY o.id, i._wharf_list_idx
        """;

    private const string Options = """
        SELECT o.id, i.sku, x._wharf_list_idx, x.name, x.value, x.extra__code, x._wharf_root_id = o._wharf_id
        FROM raw.orders__items__options x JOIN raw.orders__items i ON x._wharf_parent_id = i._wharf_id JOIN raw.orders o ON i._wharf_parent_id = o._wharf_id
        ORDER BY o.id, i._wharf_list_idx, x._wharf_list_idx
        """;

    private const string Tags = """
        SELECT o.id, i.sku, t._wharf_list_idx, t.value, t._wharf_root_id = o._wharf_id
        FROM raw.orders__items__tags t JOIN raw.orders__items i ON t._wharf_parent_id = i._wharf_id JOIN raw.orders o ON i._wharf_parent_id = o._wharf_id
        ORDER BY o.id, i._wharf_list_idx, t._wharf_list_idx
        """;

    [Theory]
    [InlineData(WarehouseUnderTest.Postgres, "json")]
    [InlineData(WarehouseUnderTest.Postgres, "ndjson")]
    [InlineData(WarehouseUnderTest.DuckDb, "ndjson")]
    public async Task ThreeLevelDocument_LoadsEveryTableWithExactValuesAndLinks(WarehouseUnderTest kind, string format)
    {
        using var project = await NestedJsonProject.CreateAsync(postgres, kind);
        var streams = await project.Write(format, Documents, "mode: replace").RunAsync();

        streams.Select(s => $"{s.Stream} {s.RowsLoaded}").ShouldBe(["orders 4", "orders__items 3", "orders__items__options 3", "orders__items__tags 3"]);
        (await project.TablesAsync()).ShouldBe(["orders", "orders__items", "orders__items__options", "orders__items__tags"]);
        (await project.ColumnsAsync("orders")).ShouldBe(["id", "customer__name", "customer__address__city", "_wharf_id"]);
        (await project.ColumnsAsync("orders__items")).ShouldBe(["_wharf_parent_id", "_wharf_list_idx", "sku", "qty", "_wharf_id", "_wharf_root_id"]);
        (await project.ColumnsAsync("orders__items__options")).ShouldBe(
            ["_wharf_parent_id", "_wharf_list_idx", "name", "value", "extra__code", "_wharf_id", "_wharf_root_id"]);
        (await project.ColumnsAsync("orders__items__tags")).ShouldBe(["_wharf_parent_id", "_wharf_list_idx", "value", "_wharf_id", "_wharf_root_id"]);
        if (kind == WarehouseUnderTest.Postgres)
        {
            (await project.TypeAsync("orders__items", "_wharf_list_idx")).ShouldBe("bigint");
            (await project.TypeAsync("orders__items", "_wharf_parent_id")).ShouldBe("text");
            (await project.TypeAsync("orders__items__options", "extra__code")).ShouldBe("bigint");
        }

        (await project.RowsAsync("SELECT id, customer__name, customer__address__city FROM raw.orders ORDER BY id")).ShouldBe([
            "1 | Ana | Lisboa", "2 | Bo | NULL", "3 | NULL | NULL", "4 | Di | Faro",
        ]);
        (await project.RowsAsync(Items)).ShouldBe(["1 | 0 | A-1 | 2 | true", "1 | 1 | B-2 | 1 | true", "2 | 0 | C-3 | 5 | true"]);
        (await project.RowsAsync(Options)).ShouldBe([
            "1 | A-1 | 0 | color | red | 7 | true", "1 | A-1 | 1 | size | L | 8 | true", "2 | C-3 | 0 | color | blue | NULL | true",
        ]);
        (await project.RowsAsync(Tags)).ShouldBe(["1 | A-1 | 0 | new | true", "1 | A-1 | 1 | sale | true", "2 | C-3 | 0 | x | true"]);
        foreach (var (table, rows) in new[] { ("orders", 4), ("orders__items", 3), ("orders__items__options", 3), ("orders__items__tags", 3) })
        {
            (await project.RowsAsync($"SELECT count(*), count(DISTINCT _wharf_id), sum(length(_wharf_id)) FROM raw.{table}")).ShouldBe([$"{rows} | {rows} | {rows * 32}"], table);
        }
    }

    [Fact]
    public async Task Postgres_ValuesPastMaxNesting_AreJsonbThatReadsBackAsTheSource()
    {
        using var project = await NestedJsonProject.CreateAsync(postgres, WarehouseUnderTest.Postgres);
        await project.Write("ndjson", Documents, "mode: replace\nmax_nesting: 1").RunAsync();

        (await project.TablesAsync()).ShouldBe(["orders", "orders__items"]);
        (await project.ColumnsAsync("orders")).ShouldBe(["id", "customer__name", "customer__address", "_wharf_id"]);
        (await project.TypeAsync("orders", "customer__address")).ShouldBe("jsonb");
        (await project.TypeAsync("orders__items", "options")).ShouldBe("jsonb");
        (await project.TypeAsync("orders__items", "tags")).ShouldBe("jsonb");

        // jsonb operators work on them, and each value is the source's.
        (await project.RowsAsync("SELECT id, customer__address->>'city' FROM raw.orders ORDER BY id")).ShouldBe(["1 | Lisboa", "2 | NULL", "3 | NULL", "4 | Faro"]);
        (await project.RowsAsync("""
            SELECT i.sku, jsonb_array_length(i.options), i.options->0->'extra'->>'code', jsonb_typeof(i.tags)
            FROM raw.orders__items i ORDER BY i.sku
            """)).ShouldBe(["A-1 | 2 | 7 | array", "B-2 | 0 | NULL | NULL", "C-3 | 1 | NULL | array"]);
        var items = await project.RowsAsync("""
            SELECT o.id, i._wharf_list_idx, i.options::text, i.tags::text FROM raw.orders__items i JOIN raw.orders o ON i._wharf_parent_id = o._wharf_id ORDER BY 1, 2
            """);
        items.Count.ShouldBe(3);
        foreach (var item in items.Select(i => i.Split(" | ")))
        {
            var source = JsonNode.Parse(Documents[int.Parse(item[0], System.Globalization.CultureInfo.InvariantCulture) - 1])!["items"]![int.Parse(item[1], System.Globalization.CultureInfo.InvariantCulture)]!;
            SameJson(item[2], source["options"]);
            SameJson(item[3], source["tags"]);
        }

        var addresses = await project.RowsAsync("SELECT customer__address::text FROM raw.orders ORDER BY id");
        for (var i = 0; i < Documents.Length; i++)
        {
            SameJson(addresses[i], JsonNode.Parse(Documents[i])!["customer"]?["address"]);
        }
    }

    [Fact]
    public async Task Postgres_MaxNestingZero_KeepsWholeObjectsAndListsAsJsonb()
    {
        using var project = await NestedJsonProject.CreateAsync(postgres, WarehouseUnderTest.Postgres);
        await project.Write("json", Documents, "mode: replace\nmax_nesting: 0").RunAsync();

        (await project.TablesAsync()).ShouldBe(["orders"]);
        (await project.TypeAsync("orders", "customer")).ShouldBe("jsonb");
        (await project.TypeAsync("orders", "items")).ShouldBe("jsonb");
        var rows = await project.RowsAsync("SELECT customer::text, items::text FROM raw.orders ORDER BY id");
        for (var i = 0; i < Documents.Length; i++)
        {
            var parts = rows[i].Split(" | ");
            SameJson(parts[0], JsonNode.Parse(Documents[i])!["customer"]);
            SameJson(parts[1], JsonNode.Parse(Documents[i])!["items"]);
        }
    }

    [Theory]
    [InlineData(WarehouseUnderTest.Postgres)]
    [InlineData(WarehouseUnderTest.DuckDb)]
    public async Task Merge_SecondRunOfAChangedDocument_UpdatesTheItemAndAppendsTheNewOne(WarehouseUnderTest kind)
    {
        using var project = await NestedJsonProject.CreateAsync(postgres, kind);
        const string settings = "mode: merge\nprimary_key: [id]";
        await project.Write("json", Documents, settings).RunAsync();
        var ids = await project.RowsAsync("SELECT sku, _wharf_id, _wharf_parent_id FROM raw.orders__items ORDER BY sku");

        // Order 2: item C-3's qty changes, and an item D-4 (with an option and no tags) is appended.
        string[] changed = [.. Documents];
        changed[1] = """{"id": 2, "customer": {"name": "Bo", "address": null}, "items": [{"sku": "C-3", "qty": 6, "options": [{"name": "color", "value": "blue", "extra": null}], "tags": ["x"]}, {"sku": "D-4", "qty": 1, "options": [{"name": "size", "value": "S", "extra": {"code": 9}}], "tags": []}]}""";
        await project.Write("json", changed, settings).RunAsync();

        (await project.RowsAsync(Items)).ShouldBe(["1 | 0 | A-1 | 2 | true", "1 | 1 | B-2 | 1 | true", "2 | 0 | C-3 | 6 | true", "2 | 1 | D-4 | 1 | true"]);
        (await project.RowsAsync(Options)).ShouldBe([
            "1 | A-1 | 0 | color | red | 7 | true", "1 | A-1 | 1 | size | L | 8 | true",
            "2 | C-3 | 0 | color | blue | NULL | true", "2 | D-4 | 0 | size | S | 9 | true",
        ]);
        (await project.RowsAsync(Tags)).ShouldBe(["1 | A-1 | 0 | new | true", "1 | A-1 | 1 | sale | true", "2 | C-3 | 0 | x | true"]);
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items")).ShouldBe(["4"]);
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items__options")).ShouldBe(["4"]);
        (await project.RowsAsync("SELECT sku, _wharf_id, _wharf_parent_id FROM raw.orders__items WHERE sku <> 'D-4' ORDER BY sku")).ShouldBe(ids);
        (await project.LastRunAsync()).ShouldBe([
            "orders | succeeded | 0 | 0 | 0 | 4",
            "orders__items | succeeded | 1 | 1 | 0 | 2",
            "orders__items__options | succeeded | 1 | 0 | 0 | 3",
            "orders__items__tags | succeeded | 0 | 0 | 0 | 3",
        ]);

        // The same file again changes nothing.
        await project.RunAsync();
        (await project.LastRunAsync()).ShouldBe([
            "orders | succeeded | 0 | 0 | 0 | 4",
            "orders__items | succeeded | 0 | 0 | 0 | 4",
            "orders__items__options | succeeded | 0 | 0 | 0 | 4",
            "orders__items__tags | succeeded | 0 | 0 | 0 | 3",
        ]);
    }

    [Fact]
    public async Task Postgres_MergeWithDetectDeletes_RemovesTheTailOfAListThatShrank()
    {
        using var project = await NestedJsonProject.CreateAsync(postgres, WarehouseUnderTest.Postgres);
        const string settings = "mode: merge\nprimary_key: [id]\ndetect_deletes: true";
        await project.Write("ndjson", ["""{"id": 1, "tags": ["a", "b", "c"]}""", """{"id": 2, "tags": ["z"]}"""], settings).RunAsync();
        await project.Write("ndjson", ["""{"id": 1, "tags": ["a2"]}""", """{"id": 2, "tags": ["z"]}"""], settings).RunAsync();

        (await project.RowsAsync("SELECT o.id, t._wharf_list_idx, t.value FROM raw.orders__tags t JOIN raw.orders o ON t._wharf_parent_id = o._wharf_id ORDER BY 1, 2"))
            .ShouldBe(["1 | 0 | a2", "2 | 0 | z"]);
        (await project.LastRunAsync()).ShouldBe(["orders | succeeded | 0 | 0 | 0 | 2", "orders__tags | succeeded | 0 | 1 | 2 | 1"]);
    }

    [Fact]
    public async Task Postgres_Replace_ReplacesTheChildTablesToo()
    {
        using var project = await NestedJsonProject.CreateAsync(postgres, WarehouseUnderTest.Postgres);
        await project.Write("json", Documents, "mode: replace").RunAsync();
        await project.Write("json", ["""{"id": 9, "customer": {"name": "Eve", "address": {"city": "Braga"}}, "items": [{"sku": "Z-9", "qty": 3, "options": [{"name": "gift", "value": "yes", "extra": {"code": 1}}], "tags": ["t"]}]}"""], "mode: replace").RunAsync();

        (await project.RowsAsync(Items)).ShouldBe(["9 | 0 | Z-9 | 3 | true"]);
        (await project.RowsAsync(Options)).ShouldBe(["9 | Z-9 | 0 | gift | yes | 1 | true"]);
        (await project.RowsAsync(Tags)).ShouldBe(["9 | Z-9 | 0 | t | true"]);
        foreach (var table in new[] { "orders", "orders__items", "orders__items__options", "orders__items__tags" })
        {
            (await project.RowsAsync($"SELECT count(*) FROM raw.{table}")).ShouldBe(["1"], table);
        }
    }

    /// <summary>
    /// A document the top-level table does not load takes its lists with it: one removed by a
    /// <c>filter</c>, one quarantined by a check. In a merge, a quarantined new version of a loaded
    /// document leaves the loaded version's lists as they were, so the child rows stay in step
    /// with the parent row. A replay from the lake rebuilds the same tables.
    /// </summary>
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task DocumentsSetAside_TakeTheirListsWithThem_AndAMergeKeepsTheLoadedVersionsLists(WarehouseUnderTest kind)
    {
        using var project = await NestedJsonProject.CreateAsync(postgres, kind);
        const string settings = """
            mode: merge
            primary_key: [id]
            on_check_failure: quarantine
            checks: [{ expression: "customer__name <> 'bad'" }]
            transform: [{ filter: "id <> 1" }]
            """;
        const string ItemTags = """
            SELECT o.id, i.sku, t.value FROM raw.orders o JOIN raw.orders__items i ON i._wharf_parent_id = o._wharf_id
            LEFT JOIN raw.orders__items__tags t ON t._wharf_parent_id = i._wharf_id ORDER BY 1, 2, 3
            """;
        var streams = await project.Write("ndjson", [
            """{"id": 1, "customer": {"name": "Ana"}, "items": [{"sku": "A-1", "tags": ["a"]}, {"sku": "B-2", "tags": []}]}""",
            """{"id": 2, "customer": {"name": "bad"}, "items": [{"sku": "C-3", "tags": ["c"]}]}""",
            """{"id": 3, "customer": {"name": "Cy"}, "items": [{"sku": "D-4", "tags": ["d", "e"]}]}""",
        ], settings).RunAsync();

        (await project.RowsAsync("SELECT id, customer__name FROM raw.orders ORDER BY id")).ShouldBe(["3 | Cy"]);
        (await project.RowsAsync("SELECT id FROM raw.orders__quarantine")).ShouldBe(["2"]);
        (await project.RowsAsync(ItemTags)).ShouldBe(["3 | D-4 | d", "3 | D-4 | e"]);
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items")).ShouldBe(["1"], "no item of a document that was not loaded");
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items__tags")).ShouldBe(["2"], "no tag of a document that was not loaded, at any depth");
        streams.Select(s => $"{s.Stream} {s.RowsLoaded} {s.RowsDiscarded}").ShouldBe([
            "orders 1 1", "orders__items 1 3", "orders__items__tags 2 2",
        ]);
        streams.Single(s => s.Stream == "orders__items").Notes.ShouldContain(n => n.Contains("left out 3 row(s)", StringComparison.Ordinal));

        // Order 2 is fixed and loads with its list; order 3's new version is quarantined, so its
        // new list (D-5 in D-4's place) is not merged over the one the loaded order 3 has.
        await project.Write("ndjson", [
            """{"id": 2, "customer": {"name": "Bo"}, "items": [{"sku": "C-3", "tags": ["c"]}]}""",
            """{"id": 3, "customer": {"name": "bad"}, "items": [{"sku": "D-5", "tags": ["z"]}]}""",
        ], settings).RunAsync();

        List<string> expected = ["2 | C-3 | c", "3 | D-4 | d", "3 | D-4 | e"];
        (await project.RowsAsync("SELECT id, customer__name FROM raw.orders ORDER BY id")).ShouldBe(["2 | Bo", "3 | Cy"]);
        (await project.RowsAsync(ItemTags)).ShouldBe(expected);

        await project.Project.ReplayAsync();
        (await project.RowsAsync("SELECT id, customer__name FROM raw.orders ORDER BY id")).ShouldBe(["2 | Bo", "3 | Cy"]);
        (await project.RowsAsync(ItemTags)).ShouldBe([.. expected], "the replay sets the same documents aside");
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items__tags")).ShouldBe(["3"]);
    }

    /// <summary>A warehouse value read back as JSON text equals the source's value (NULL for a null or missing one).</summary>
    private static void SameJson(string actual, JsonNode? expected)
    {
        if (expected is null)
        {
            actual.ShouldBe("NULL");
            return;
        }

        JsonNode.DeepEquals(JsonNode.Parse(actual), expected).ShouldBeTrue($"{actual} is not {expected.ToJsonString()}");
    }
}
