using System.Collections.Immutable;
using Wharf.Schema;

namespace Wharf.Sources.Files;

/// <summary>One table nested JSON documents become: the root, or a child table of a list.</summary>
/// <param name="Path">The list's path from the root (empty for the root table).</param>
/// <param name="Sql">The query over the reader relation that yields the table's rows.</param>
internal sealed record NestedTable(string Table, ImmutableArray<string> Path, string Sql);

/// <summary>
/// Flattens nested JSON as dlt does: object fields become <c>parent__child</c> columns; a list
/// becomes a child table <c>&lt;table&gt;__&lt;field&gt;</c> whose rows carry <c>_wharf_parent_id</c>
/// (the parent row's <c>_wharf_id</c>), <c>_wharf_list_idx</c> (the position in the list, from 0) and
/// <c>_wharf_root_id</c>, to any depth. Past <c>max_nesting</c> levels a value stays one JSON column.
/// Ids are deterministic (the parent's primary key, or a hash of the document), so each table can be
/// extracted on its own and still link up, run after run.
/// </summary>
internal static class NestedJson
{
    public const string Id = "_wharf_id";
    public const string ParentId = "_wharf_parent_id";
    public const string ListIndex = "_wharf_list_idx";
    public const string RootId = "_wharf_root_id";

    /// <summary>Whether a lake stream's key is a child table's: the parent's id and the place in the list.</summary>
    public static bool IsChildKey(IReadOnlyList<string> key) => key is [ParentId, ListIndex];

    /// <summary>The tables of a relation, its columns asked of DuckDB (which may throw a <see cref="DuckDb.DuckDbException"/> for unreadable input).</summary>
    public static IReadOnlyList<NestedTable> Plan(DuckDB.NET.Data.DuckDBConnection workArea, string relation, string table, IReadOnlyList<string> primaryKey, int maxNesting) =>
        Plan(relation, Describe(workArea, relation), table, primaryKey, maxNesting);

    /// <summary>The columns of a relation and their DuckDB types, as DESCRIBE gives them.</summary>
    public static IReadOnlyList<(string Name, string Type)> Describe(DuckDB.NET.Data.DuckDBConnection workArea, string relation)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        var columns = new List<(string, string)>();
        using var reader = DuckDb.DuckDbCommands.Query(workArea, $"DESCRIBE SELECT * FROM {relation}");
        while (reader.Read())
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    /// <summary>The tables of a relation whose columns are <paramref name="columns"/>; just the root, unchanged, when nothing is nested.</summary>
    public static IReadOnlyList<NestedTable> Plan(string relation, IReadOnlyList<(string Name, string Type)> columns, string table, IReadOnlyList<string> primaryKey, int maxNesting)
    {
        var types = columns.Select(c => (c.Name, Type: DuckDbTypeTree.Parse(c.Type))).ToList();
        if (!types.Any(c => c.Type.IsList || c.Type.IsStruct))
        {
            return [new NestedTable(table, [], $"SELECT * FROM {relation}")];
        }

        // The root's columns, and the lists that become its child tables.
        var lists = new List<NestedList>();
        var values = Flatten(types.Select(c => (c.Name, Expression: $"struct_extract(f.__doc, {Quote.Literal(c.Name)})", c.Type)), [], 1, maxNesting, lists, []);

        // The root frame: the document as one struct, its id and its root id (the same). The document's
        // columns are packed by name rather than read beside the frame's own (r.*, or the row as r), so a
        // field called __id, __root or r is data and cannot stand in for them. The key may name any of
        // the root's columns, flattened ones too (customer__id).
        var document = $"{{{string.Join(", ", columns.Select(c => $"{Quote.Literal(c.Name)}: r.{Quote.Identifier(c.Name)}"))}}}";
        var key = primaryKey.Count > 0
            ? $"concat_ws('|', {string.Join(", ", ColumnNames.Pick(values.ConvertAll(v => v.Name), primaryKey, n => n, table, "primary_key").Select(k => KeyPart(values.First(v => v.Name == k).Expression, primaryKey.Count > 1)))})"
            : "CAST(f.__doc AS VARCHAR) || '#' || CAST(f.__pos AS VARCHAR)";

        if (lists.Count == 0)
        {
            // Objects only: one table, whose rows need no id; without the frame's key hash and row
            // number, DuckDB reads the files in parallel.
            return [new NestedTable(table, [], $"SELECT {Projection([], values, [])} FROM (SELECT {document} AS __doc FROM {relation} AS r) AS f")];
        }

        // Without a key, the document's place in the files tells identical documents apart (a
        // streaming row number: the readers keep the files' order, so every table's query agrees).
        var rootFrame = $"SELECT k.__doc, k.__id, k.__id AS __root FROM (SELECT f.__doc, md5({key}) AS __id FROM " +
            $"(SELECT {document} AS __doc, row_number() OVER () AS __pos FROM {relation} AS r) AS f) AS k";
        var tables = new List<NestedTable>
        {
            new(table, [], $"SELECT {Projection([], values, lists.Count > 0 ? [(Id, "f.__id")] : [])} FROM ({rootFrame}) AS f"),
        };
        AddChildren(tables, table, [], rootFrame, lists, maxNesting);
        return tables;
    }

    /// <summary>
    /// One value of the key as text. The values of a key of several columns are joined by <c>|</c>, so a
    /// <c>|</c> or <c>\</c> in one is escaped and a null is <c>\N</c>: ("a|b", "c") and ("a", "b|c") are two keys.
    /// </summary>
    private static string KeyPart(string expression, bool composite) => composite
        ? $"coalesce(replace(replace(CAST({expression} AS VARCHAR), {Quote.Literal("\\")}, {Quote.Literal("\\\\")}), '|', {Quote.Literal("\\|")}), {Quote.Literal("\\N")})"
        : $"CAST({expression} AS VARCHAR)";

    /// <summary>A list found while flattening: how to read it from its parent's frame, its type, its path from the root, and its nesting depth.</summary>
    private sealed record NestedList(string Expression, DuckDbTypeTree Type, ImmutableArray<string> Path, int Depth);

    /// <summary>One child table per list, then its own lists' tables.</summary>
    private static void AddChildren(List<NestedTable> tables, string parentTable, ImmutableArray<string> parentPath, string parentFrame, List<NestedList> lists, int maxNesting)
    {
        foreach (var (expression, type, path, depth) in lists)
        {
            var table = UniqueTableName(tables, $"{parentTable}__{string.Join("__", path.Skip(parentPath.Length).Select(ColumnNames.ToSnakeCase))}");
            var frame = $"SELECT md5(u.__id || {Quote.Literal("." + string.Join(".", path) + ".")} || CAST(u.__i - 1 AS VARCHAR)) AS __id, u.__root, " +
                $"u.__id AS __parent, u.__i - 1 AS __idx, u.__v FROM (SELECT f.__id, f.__root, unnest({expression}) AS __v, generate_subscripts({expression}, 1) AS __i FROM ({parentFrame}) AS f) AS u";
            var childLists = new List<NestedList>();
            var element = type.Element!;
            var values = element.IsStruct
                ? Flatten(element.Fields!.Select(f => (f.Name, Expression: $"struct_extract(f.__v, {Quote.Literal(f.Name)})", f.Type)), [], depth + 1, maxNesting, childLists, path)
                : Flatten([("value", "f.__v", element)], [], depth + 1, maxNesting, childLists, path);
            var projection = Projection([(ParentId, "f.__parent"), (ListIndex, "f.__idx")], values, [(Id, "f.__id"), (RootId, "f.__root")]);
            tables.Add(new NestedTable(table, path, $"SELECT {projection} FROM ({frame}) AS f"));
            AddChildren(tables, table, path, frame, childLists, maxNesting);
        }
    }

    /// <summary>
    /// A child table's name, numbered <c>_2</c>, <c>_3</c>… when an earlier table of the plan has it
    /// (<c>"a b"</c> and <c>a_b</c> are both <c>&lt;table&gt;__a_b</c>): in plan order, so the same
    /// document always gives the same names.
    /// </summary>
    private static string UniqueTableName(List<NestedTable> tables, string name)
    {
        var unique = name;
        for (var suffix = 2; tables.Any(t => t.Table == unique); suffix++)
        {
            unique = $"{name}_{suffix}";
        }

        return unique;
    }

    /// <summary>
    /// The select list of a table: its link columns around its values. The load names columns with
    /// <see cref="ColumnNames.Normalize"/>, numbering those that collide in snake_case; a SELECT with two
    /// equal names would instead be renamed by DuckDB (<c>x_1</c>). So a column that collides is given
    /// its final name here, and the link columns are never the ones renamed.
    /// </summary>
    private static string Projection(
        IReadOnlyList<(string Name, string Expression)> leading,
        IReadOnlyList<(string Name, string Expression)> values,
        IReadOnlyList<(string Name, string Expression)> trailing)
    {
        List<(string Name, string Expression)> links = [.. leading, .. trailing];
        var final = ColumnNames.Normalize([.. links.Select(c => c.Name), .. values.Select(c => c.Name)]);
        var named = links.Concat(values).Select((c, i) => (Name: ColumnNames.ToSnakeCase(c.Name) == final[i] ? c.Name : final[i], c.Expression)).ToList();
        var ordered = named.Take(leading.Count).Concat(named.Skip(links.Count)).Concat(named.Skip(leading.Count).Take(trailing.Count));
        return string.Join(", ", ordered.Select(c => $"{c.Expression} AS {Quote.Identifier(c.Name)}"));
    }

    /// <summary>Column names and expressions for values at <paramref name="depth"/>; lists found go to <paramref name="lists"/>.</summary>
    /// <param name="depth">The nesting level of these values (the root's columns are level 1); past <paramref name="maxNesting"/>, nested values stay JSON.</param>
    /// <param name="listPath">The path of the table being flattened, which lists found here extend.</param>
    private static List<(string Name, string Expression)> Flatten(
        IEnumerable<(string Name, string Expression, DuckDbTypeTree Type)> values,
        ImmutableArray<string> prefix,
        int depth,
        int maxNesting,
        List<NestedList> lists,
        ImmutableArray<string> listPath)
    {
        var columns = new List<(string, string)>();
        foreach (var (name, expression, type) in values)
        {
            var path = prefix.Add(name);

            // A top-level column keeps its source name (the load normalizes it like any other).
            var column = path.Length == 1 ? name : string.Join("__", path.Select(ColumnNames.ToSnakeCase));
            if (depth > maxNesting && (type.IsStruct || type.IsList))
            {
                columns.Add((column, $"CAST({expression} AS JSON)"));
            }
            else if (type.IsStruct)
            {
                columns.AddRange(Flatten(type.Fields!.Select(f => (f.Name, $"struct_extract({expression}, {Quote.Literal(f.Name)})", f.Type)), path, depth + 1, maxNesting, lists, listPath));
            }
            else if (type.IsList)
            {
                lists.Add(new NestedList(expression, type, listPath.AddRange(path), depth));
            }
            else
            {
                columns.Add((column, expression));
            }
        }

        return columns;
    }
}
