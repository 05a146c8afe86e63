using System.Globalization;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Schema;
using Wharf.Sources.Files;

namespace Wharf.Tests.Nested;

/// <summary>
/// <see cref="NestedJson.Plan"/> over relations built in an in-memory DuckDB: which tables a
/// nested relation becomes (names, list paths), which columns each table's SQL yields, and the
/// rows and links it gives when run.
/// </summary>
public sealed class NestedJsonPlanTests : IDisposable
{
    /// <summary>Three documents: objects in lists in lists, a list of scalars, empty and null lists, a list inside an object.</summary>
    private const string Orders = """
        (SELECT * FROM (VALUES
            (1, {'name': 'Ana', 'address': {'city': 'Lisboa'}, 'phones': ['111', '222']},
                [{'sku': 'A', 'options': [{'name': 'color', 'extra': {'code': 7}}, {'name': 'size', 'extra': {'code': 8}}], 'tags': ['new', 'sale']},
                 {'sku': 'B', 'options': [], 'tags': NULL}]),
            (2, {'name': 'Bo', 'address': NULL, 'phones': []},
                [{'sku': 'C', 'options': [{'name': 'color', 'extra': NULL}], 'tags': ['x']}]),
            (3, NULL, NULL)
        ) AS v(id, customer, items))
        """;

    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public void Dispose() => connection.Dispose();

    private List<(string Name, string Type)> Describe(string relation)
    {
        using var reader = connection.Query($"DESCRIBE SELECT * FROM {relation}");
        var columns = new List<(string, string)>();
        while (reader.Read())
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    private IReadOnlyList<NestedTable> Plan(string relation, int maxNesting = 5, params string[] primaryKey) =>
        NestedJson.Plan(relation, Describe(relation), "orders", primaryKey, maxNesting);

    /// <summary>The columns a table's SQL yields, as <c>name type</c>.</summary>
    private List<string> Columns(NestedTable table) => [.. Describe($"({table.Sql})").Select(c => $"{c.Name} {c.Type}")];

    /// <summary>The rows a query yields, each as its values joined by " | " (NULL for null), in the order given.</summary>
    private List<string> Rows(string sql)
    {
        using var reader = connection.Query(sql);
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private static NestedTable Table(IReadOnlyList<NestedTable> tables, string name) => tables.Single(t => t.Table == name);

    [Fact]
    public void Plan_WithoutNestedColumns_IsTheRootTableUnchanged()
    {
        var tables = Plan("(SELECT 1 AS id, 'a' AS name, 1.5::DECIMAL(12,2) AS amount, map {'k': 1} AS m)");

        var root = tables.ShouldHaveSingleItem();
        root.Table.ShouldBe("orders");
        root.Path.ShouldBeEmpty();
        root.Sql.ShouldBe("SELECT * FROM (SELECT 1 AS id, 'a' AS name, 1.5::DECIMAL(12,2) AS amount, map {'k': 1} AS m)");
    }

    [Fact]
    public void Plan_NamesEachListsTableAfterItsPath_RootFirstThenDepthFirst()
    {
        var tables = Plan(Orders);

        tables.Select(t => $"{t.Table} <{string.Join(".", t.Path)}>").ShouldBe([
            "orders <>",
            "orders__customer__phones <customer.phones>",
            "orders__items <items>",
            "orders__items__options <items.options>",
            "orders__items__tags <items.tags>",
        ]);
    }

    [Fact]
    public void Plan_TableAndColumnNames_AreSnakeCasePerPart()
    {
        var tables = Plan("(SELECT 1 AS \"OrderID\", {'Zip Code': '1000', 'CityName': 'Lisboa'} AS \"Ship To\", [{'UnitPrice': 1.5}] AS \"Line Items\")");

        tables.Select(t => $"{t.Table} <{string.Join(".", t.Path)}>").ShouldBe(["orders <>", "orders__line_items <Line Items>"]);

        // A top-level column keeps its source name (the load normalizes it like any other column).
        Columns(tables[0]).ShouldBe(["OrderID INTEGER", "ship_to__zip_code VARCHAR", "ship_to__city_name VARCHAR", "_wharf_id VARCHAR"]);
        Columns(tables[1]).ShouldBe(["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "UnitPrice DECIMAL(2,1)", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
    }

    [Fact]
    public void Plan_EachTablesSql_YieldsItsColumnsWithTheLinkColumnsAroundTheValues()
    {
        var tables = Plan(Orders);

        Columns(Table(tables, "orders")).ShouldBe(["id INTEGER", "customer__name VARCHAR", "customer__address__city VARCHAR", "_wharf_id VARCHAR"]);
        Columns(Table(tables, "orders__customer__phones")).ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "value VARCHAR", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Columns(Table(tables, "orders__items")).ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "sku VARCHAR", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Columns(Table(tables, "orders__items__options")).ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "name VARCHAR", "extra__code INTEGER", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Columns(Table(tables, "orders__items__tags")).ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "value VARCHAR", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
    }

    [Fact]
    public void Plan_RowsLinkToTheirParentAndRoot_WithListIndexesFromZero()
    {
        var tables = Plan(Orders);
        string Sql(string table) => $"({Table(tables, table).Sql})";

        Rows($"SELECT id, customer__name, customer__address__city FROM {Sql("orders")} ORDER BY id").ShouldBe(["1 | Ana | Lisboa", "2 | Bo | NULL", "3 | NULL | NULL"]);
        Rows($"""
            SELECT o.id, i._wharf_list_idx, i.sku, i._wharf_root_id = o._wharf_id
            FROM {Sql("orders__items")} AS i JOIN {Sql("orders")} AS o ON i._wharf_parent_id = o._wharf_id ORDER BY 1, 2
            """).ShouldBe(["1 | 0 | A | True", "1 | 1 | B | True", "2 | 0 | C | True"]);
        Rows($"""
            SELECT o.id, i._wharf_list_idx, x._wharf_list_idx, x.name, x.extra__code, x._wharf_root_id = o._wharf_id
            FROM {Sql("orders__items__options")} AS x JOIN {Sql("orders__items")} AS i ON x._wharf_parent_id = i._wharf_id
            JOIN {Sql("orders")} AS o ON i._wharf_parent_id = o._wharf_id ORDER BY 1, 2, 3
            """).ShouldBe(["1 | 0 | 0 | color | 7 | True", "1 | 0 | 1 | size | 8 | True", "2 | 0 | 0 | color | NULL | True"]);
        Rows($"""
            SELECT o.id, i._wharf_list_idx, t._wharf_list_idx, t.value
            FROM {Sql("orders__items__tags")} AS t JOIN {Sql("orders__items")} AS i ON t._wharf_parent_id = i._wharf_id
            JOIN {Sql("orders")} AS o ON i._wharf_parent_id = o._wharf_id ORDER BY 1, 2, 3
            """).ShouldBe(["1 | 0 | 0 | new", "1 | 0 | 1 | sale", "2 | 0 | 0 | x"]);
        Rows($"""
            SELECT o.id, p._wharf_list_idx, p.value, p._wharf_root_id = o._wharf_id
            FROM {Sql("orders__customer__phones")} AS p JOIN {Sql("orders")} AS o ON p._wharf_parent_id = o._wharf_id ORDER BY 1, 2
            """).ShouldBe(["1 | 0 | 111 | True", "1 | 1 | 222 | True"]);

        // Every child row links up (no orphans), and every id is unique in its table.
        foreach (var table in tables)
        {
            Rows($"SELECT count(*) = count(DISTINCT _wharf_id) FROM {Sql(table.Table)}").ShouldBe(["True"], table.Table);
        }

        Rows($"SELECT count(*) FROM {Sql("orders__items__options")}").ShouldBe(["3"]);
        Rows($"SELECT count(*) FROM {Sql("orders__items__tags")}").ShouldBe(["3"]);
    }

    [Fact]
    public void Plan_MaxNestingZero_KeepsEveryObjectAndListAsJson()
    {
        var tables = Plan(Orders, maxNesting: 0);

        var root = tables.ShouldHaveSingleItem();
        Columns(root).ShouldBe(["id INTEGER", "customer JSON", "items JSON"]);
        Rows($"SELECT customer, items FROM ({root.Sql}) WHERE id = 2").ShouldBe([
            """{"name":"Bo","address":null,"phones":[]} | [{"sku":"C","options":[{"name":"color","extra":null}],"tags":["x"]}]""",
        ]);
    }

    [Fact]
    public void Plan_MaxNestingOne_UnpacksOneLevelAndKeepsTheNextAsJson()
    {
        var tables = Plan(Orders, maxNesting: 1);

        tables.Select(t => t.Table).ShouldBe(["orders", "orders__items"]);
        Columns(tables[0]).ShouldBe(["id INTEGER", "customer__name VARCHAR", "customer__address JSON", "customer__phones JSON", "_wharf_id VARCHAR"]);
        Columns(tables[1]).ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "sku VARCHAR", "options JSON", "tags JSON", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Rows($"SELECT sku, options, tags FROM ({tables[1].Sql}) ORDER BY sku").ShouldBe([
            """A | [{"name":"color","extra":{"code":7}},{"name":"size","extra":{"code":8}}] | ["new","sale"]""",
            "B | [] | NULL",
            """C | [{"name":"color","extra":null}] | ["x"]""",
        ]);
    }

    [Fact]
    public void Plan_MaxNestingTwo_UnpacksTwoLevels()
    {
        var tables = Plan(Orders, maxNesting: 2);

        tables.Select(t => t.Table).ShouldBe(["orders", "orders__customer__phones", "orders__items", "orders__items__options", "orders__items__tags"]);
        Columns(Table(tables, "orders__items__options")).ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "name VARCHAR", "extra JSON", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Rows($"SELECT name, extra FROM ({Table(tables, "orders__items__options").Sql}) ORDER BY name, extra").ShouldBe([
            """color | {"code":7}""", "color | NULL", """size | {"code":8}""",
        ]);
    }

    [Fact]
    public void Plan_WithAPrimaryKey_IdsFollowTheKeyNotTheOtherValues()
    {
        const string before = "(SELECT 1 AS id, 'old' AS note, [10, 20] AS xs)";
        const string after = "(SELECT 1 AS id, 'new' AS note, [10, 20] AS xs)";
        string Ids(string relation, params string[] key) => string.Join(",", Plan(relation, 5, key).SelectMany(t => Rows($"SELECT _wharf_id FROM ({t.Sql}) ORDER BY 1")));

        Ids(before, "id").ShouldBe(Ids(after, "id"));
        Ids(before).ShouldNotBe(Ids(after));
        Ids(before).ShouldBe(Ids(before));
    }

    [Fact]
    public void Plan_PrimaryKeyNamedInSnakeCase_FindsTheSourceColumn()
    {
        var tables = Plan("(SELECT 1 AS \"OrderID\", [1] AS xs)", 5, "order_id");

        Rows($"SELECT \"OrderID\" FROM ({tables[0].Sql})").ShouldBe(["1"]);
    }

    [Fact]
    public void Plan_PrimaryKeyOnAFlattenedColumn_KeysTheIds()
    {
        const string before = "(SELECT {'no': 7, 'name': 'old'} AS customer, [10] AS xs)";
        const string after = "(SELECT {'no': 7, 'name': 'new'} AS customer, [10] AS xs)";
        string Ids(string relation) => string.Join(",", Plan(relation, 5, "customer__no").SelectMany(t => Rows($"SELECT _wharf_id FROM ({t.Sql}) ORDER BY 1")));

        Ids(before).ShouldBe(Ids(after));
        Ids(before).ShouldNotBe(string.Join(",", Plan(after).SelectMany(t => Rows($"SELECT _wharf_id FROM ({t.Sql}) ORDER BY 1"))));
    }

    [Fact]
    public void Plan_CompositeKeyWithTheSeparatorInAValue_GivesEachDocumentItsOwnId()
    {
        var tables = Plan("(SELECT * FROM (VALUES ('a|b', 'c', 1, [1]), ('a', 'b|c', 2, [2]), ('a\\', '|c', 3, [3]), ('a', NULL, 4, [4]), (NULL, 'a', 5, [5])) AS v(k1, k2, n, xs))", 5, "k1", "k2");

        Rows($"SELECT count(DISTINCT _wharf_id) FROM ({tables[0].Sql})").ShouldBe(["5"]);
        Rows($"SELECT count(DISTINCT _wharf_id) FROM ({tables[1].Sql})").ShouldBe(["5"]);
    }

    [Fact]
    public void Plan_SingleColumnKey_IdIsTheHashOfItsText()
    {
        // Ids that are already in warehouses stay as they are: md5 of the key's text.
        var tables = Plan("(SELECT 42 AS id, [1] AS xs)", 5, "id");

        Rows($"SELECT _wharf_id = md5('42') FROM ({tables[0].Sql})").ShouldBe(["True"]);
    }

    [Fact]
    public void Plan_UnknownPrimaryKeyColumn_SaysWhichColumnsThereAre()
    {
        var error = Should.Throw<WharfException>(() => Plan("(SELECT 1 AS id, {'no': 2} AS c, [1] AS xs)", 5, "nope"));

        // The root table's columns, as they will be loaded: flattened, without its lists.
        error.Message.ShouldBe("The column 'nope' named in 'primary_key:' is not in orders (id, c__no).");
    }

    [Fact]
    public void Plan_FieldNamesNeedingQuotes_AreQuotedInTheSql()
    {
        var tables = Plan("(SELECT 1 AS id, [{'it''s': 1, 'say \"hi\"': 2}] AS \"my list\")");

        Columns(tables[1]).ShouldBe(
            ["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "it's INTEGER", "say \"hi\" INTEGER", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Rows($"SELECT \"it's\", \"say \"\"hi\"\"\" FROM ({tables[1].Sql})").ShouldBe(["1 | 2"]);
    }

    [Fact]
    public void Plan_ListsOfLists_GiveATableForEachLevel()
    {
        var tables = Plan("(SELECT 1 AS id, [[1, 2], [], [3]] AS matrix)");

        tables.Select(t => t.Table).ShouldBe(["orders", "orders__matrix", "orders__matrix__value"]);
        Columns(tables[1]).ShouldBe(["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Rows($"""
            SELECT m._wharf_list_idx, v._wharf_list_idx, v.value FROM ({tables[2].Sql}) AS v JOIN ({tables[1].Sql}) AS m ON v._wharf_parent_id = m._wharf_id ORDER BY 1, 2
            """).ShouldBe(["0 | 0 | 1", "0 | 1 | 2", "2 | 0 | 3"]);
    }

    [Fact]
    public void Plan_TableWhoseValuesAreAllLists_StillHasItsIdColumns()
    {
        var tables = Plan("(SELECT [{'tags': ['a', 'b']}] AS items)");

        tables.Select(t => t.Table).ShouldBe(["orders", "orders__items", "orders__items__tags"]);
        Columns(tables[0]).ShouldBe(["_wharf_id VARCHAR"]);
        Columns(tables[1]).ShouldBe(["_wharf_parent_id VARCHAR", "_wharf_list_idx BIGINT", "_wharf_id VARCHAR", "_wharf_root_id VARCHAR"]);
        Rows($"SELECT t.value FROM ({tables[2].Sql}) AS t JOIN ({tables[1].Sql}) AS i ON t._wharf_parent_id = i._wharf_id ORDER BY 1").ShouldBe(["a", "b"]);
    }

    [Fact]
    public void Plan_DocumentFieldsNamedLikeTheQuerysOwnColumns_DoNotReplaceTheIds()
    {
        // __id and __root are the frame's columns, r the document's alias: a document's own fields
        // of those names are data, not ids.
        var tables = Plan("(SELECT * FROM (VALUES (7, 8, 1, 1, [10]), (7, 8, 1, 2, [20])) AS v(__id, __root, r, x, xs))");

        Columns(tables[0]).ShouldBe(["__id INTEGER", "__root INTEGER", "r INTEGER", "x INTEGER", "_wharf_id VARCHAR"]);
        var roots = Rows($"SELECT x, _wharf_id FROM ({tables[0].Sql}) ORDER BY x");
        roots.Count.ShouldBe(2);
        roots.Select(r => r.Split(" | ")[1]).Distinct().Count().ShouldBe(2, "two different documents get two ids");
        roots.ShouldAllBe(r => r.Split(" | ", StringSplitOptions.None)[1].Length == 32);
        Rows($"""
            SELECT o.x, c.value, c._wharf_root_id = o._wharf_id FROM ({tables[1].Sql}) AS c JOIN ({tables[0].Sql}) AS o ON c._wharf_parent_id = o._wharf_id ORDER BY 1
            """).ShouldBe(["1 | 10 | True", "2 | 20 | True"]);
    }

    [Fact]
    public void Plan_ChildTableNamesCollidingAfterSnakeCase_GetNumberedInPlanOrder()
    {
        var tables = Plan("(SELECT 1 AS id, [1] AS \"a b\", [2] AS a_b, {'d': [3]} AS c, [4] AS c__d)");

        tables.Select(t => $"{t.Table} <{string.Join(".", t.Path)}>").ShouldBe([
            "orders <>",
            "orders__a_b <a b>",
            "orders__a_b_2 <a_b>",
            "orders__c__d <c.d>",
            "orders__c__d_2 <c__d>",
        ]);
        tables.Skip(1).Select(t => Rows($"SELECT value FROM ({t.Sql})").ShouldHaveSingleItem()).ShouldBe(["1", "2", "3", "4"]);
    }

    [Fact]
    public void Plan_ColumnNamesCollidingAfterSnakeCase_AreNumberedAsTheLoadNumbersThem()
    {
        var tables = Plan("(SELECT {'x y': 1, 'x_y': 2} AS c, 3 AS c__x_y, 4 AS \"a b\", 5 AS a_b, [{'_wharf_id': 6, 'v': 7}] AS xs)");

        // Duplicates in one SELECT would be renamed by DuckDB (c__x_y_1); the names the load gives
        // (ColumnNames.Normalize: _2, _3 in column order) must come out instead.
        var names = Columns(tables[0]).Select(c => c[..c.LastIndexOf(' ')]).ToList();
        ColumnNames.Normalize(names).ShouldBe(["c__x_y", "c__x_y_2", "c__x_y_3", "a_b", "a_b_2", "_wharf_id"]);
        Rows($"SELECT * EXCLUDE (_wharf_id) FROM ({tables[0].Sql})").ShouldBe(["1 | 2 | 3 | 4 | 5"]);

        // The link columns keep their names: a field of the same name is the one renamed.
        var child = Columns(tables[1]).Select(c => c[..c.LastIndexOf(' ')]).ToList();
        ColumnNames.Normalize(child).ShouldBe(["_wharf_parent_id", "_wharf_list_idx", "_wharf_id_2", "v", "_wharf_id", "_wharf_root_id"]);
        Rows($"SELECT \"_wharf_id_2\", v, length(_wharf_id) FROM ({tables[1].Sql})").ShouldBe(["6 | 7 | 32"]);
    }
}
