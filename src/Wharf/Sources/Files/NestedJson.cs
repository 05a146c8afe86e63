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

    /// <summary>The tables of a relation whose columns are <paramref name="columns"/>; just the root, unchanged, when nothing is nested.</summary>
    public static IReadOnlyList<NestedTable> Plan(string relation, IReadOnlyList<(string Name, string Type)> columns, string table, IReadOnlyList<string> primaryKey, int maxNesting)
    {
        var types = columns.Select(c => (c.Name, Type: DuckDbTypeTree.Parse(c.Type))).ToList();
        if (!types.Any(c => c.Type.IsList || c.Type.IsStruct))
        {
            return [new NestedTable(table, [], $"SELECT * FROM {relation}")];
        }

        // The root frame: the document's columns plus its id (and root id, the same).
        var key = primaryKey.Count > 0
            ? $"concat_ws('|', {string.Join(", ", ColumnNames.Pick(columns.Select(c => c.Name).ToList(), primaryKey, n => n, table, "primary_key").Select(k => $"CAST(r.{Quote.Identifier(k)} AS VARCHAR)"))})"
            : "CAST(r AS VARCHAR)";
        var rootFrame = $"SELECT r.*, md5({key}) AS __id, md5({key}) AS __root FROM {relation} AS r";
        var tables = new List<NestedTable>();
        var lists = new List<NestedList>();
        var projections = Flatten(types.Select(c => (c.Name, Expression: $"f.{Quote.Identifier(c.Name)}", c.Type)), [], 1, maxNesting, lists, []);
        var id = lists.Count > 0 ? $", f.__id AS {Id}" : "";
        tables.Add(new NestedTable(table, [], $"SELECT {string.Join(", ", projections)}{id} FROM ({rootFrame}) AS f"));
        AddChildren(tables, table, [], rootFrame, lists, maxNesting);
        return tables;
    }

    /// <summary>A list found while flattening: how to read it from its parent's frame, its type, its path from the root, and its nesting depth.</summary>
    private sealed record NestedList(string Expression, DuckDbTypeTree Type, ImmutableArray<string> Path, int Depth);

    /// <summary>One child table per list, then its own lists' tables.</summary>
    private static void AddChildren(List<NestedTable> tables, string parentTable, ImmutableArray<string> parentPath, string parentFrame, List<NestedList> lists, int maxNesting)
    {
        foreach (var (expression, type, path, depth) in lists)
        {
            var table = $"{parentTable}__{string.Join("__", path.Skip(parentPath.Length).Select(ColumnNames.ToSnakeCase))}";
            var frame = $"SELECT md5(u.__id || {Quote.Literal("." + string.Join(".", path) + ".")} || CAST(u.__i - 1 AS VARCHAR)) AS __id, u.__root, " +
                $"u.__id AS __parent, u.__i - 1 AS __idx, u.__v FROM (SELECT f.__id, f.__root, unnest({expression}) AS __v, generate_subscripts({expression}, 1) AS __i FROM ({parentFrame}) AS f) AS u";
            var childLists = new List<NestedList>();
            var element = type.Element!;
            var values = element.IsStruct
                ? Flatten(element.Fields!.Select(f => (f.Name, Expression: $"struct_extract(f.__v, {Quote.Literal(f.Name)})", f.Type)), [], depth + 1, maxNesting, childLists, path)
                : Flatten([("value", "f.__v", element)], [], depth + 1, maxNesting, childLists, path);
            tables.Add(new NestedTable(table, path,
                $"SELECT f.__parent AS {ParentId}, f.__idx AS {ListIndex}, {string.Join(", ", values)}, f.__id AS {Id}, f.__root AS {RootId} FROM ({frame}) AS f"));
            AddChildren(tables, table, path, frame, childLists, maxNesting);
        }
    }

    /// <summary>Column projections for values at <paramref name="depth"/>; lists found go to <paramref name="lists"/>.</summary>
    /// <param name="depth">The nesting level of these values (the root's columns are level 1); past <paramref name="maxNesting"/>, nested values stay JSON.</param>
    /// <param name="listPath">The path of the table being flattened, which lists found here extend.</param>
    private static List<string> Flatten(
        IEnumerable<(string Name, string Expression, DuckDbTypeTree Type)> values,
        ImmutableArray<string> prefix,
        int depth,
        int maxNesting,
        List<NestedList> lists,
        ImmutableArray<string> listPath)
    {
        var projections = new List<string>();
        foreach (var (name, expression, type) in values)
        {
            var path = prefix.Add(name);

            // A top-level column keeps its source name (the load normalizes it like any other).
            var column = path.Length == 1 ? name : string.Join("__", path.Select(ColumnNames.ToSnakeCase));
            if (depth > maxNesting && (type.IsStruct || type.IsList))
            {
                projections.Add($"CAST({expression} AS JSON) AS {Quote.Identifier(column)}");
            }
            else if (type.IsStruct)
            {
                projections.AddRange(Flatten(type.Fields!.Select(f => (f.Name, $"struct_extract({expression}, {Quote.Literal(f.Name)})", f.Type)), path, depth + 1, maxNesting, lists, listPath));
            }
            else if (type.IsList)
            {
                lists.Add(new NestedList(expression, type, listPath.AddRange(path), depth));
            }
            else
            {
                projections.Add($"{expression} AS {Quote.Identifier(column)}");
            }
        }

        return projections;
    }
}
