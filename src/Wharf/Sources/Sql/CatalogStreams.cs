using System.Collections.Immutable;
using Wharf.Projects;

namespace Wharf.Sources.Sql;

/// <summary>
/// From a database's catalog to a pipeline's streams: the tables its <c>tables:</c> select, in
/// foreign-key order (the database's own keys, plus those wharf.yml declares in
/// <c>foreign_keys:</c> and the order of <c>load_order:</c>), one stream per table (named after
/// it, carrying its keys).
/// </summary>
internal static class CatalogStreams
{
    public sealed record Result(IReadOnlyList<CatalogTable> Tables, IReadOnlyList<SourceStream> Streams, IReadOnlyList<string> Notes);

    /// <param name="where">How to name the database in errors, e.g. <c>user@host:5432/shop</c>.</param>
    public static Result Select(IReadOnlyList<CatalogTable> catalog, PipelineSettings pipeline, ConnectionSettings connection, string where)
    {
        SourceException Fail(string problem, string stream = "") =>
            new(connection.Name, stream, $"Pipeline '{pipeline.Name}' ({pipeline.Location}): in '{connection.Name}' ({where}), {problem}");

        var selected = TableSelection.Select(catalog, pipeline.Tables, problem => Fail(problem));
        selected = WithDeclaredKeys(selected, catalog, pipeline.DeclaredForeignKeys, Fail);
        var after = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var earlier = new List<string>();
        foreach (var name in pipeline.LoadOrder)
        {
            var table = Find(selected, name) ?? throw Fail($"'load_order:' names '{name}', which is not among the pipeline's tables ({string.Join(", ", selected.Select(t => t.QualifiedName))}).");
            after[table.QualifiedName] = [.. earlier];
            earlier.Add(table.QualifiedName);
        }

        var order = ForeignKeyOrder.Sort(selected, after);
        // DuckDB's names ignore case: "Customers" and customers would be one warehouse table (and
        // the second load would silently replace the first's rows), so they are told apart here.
        var duplicates = order.Tables.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
        {
            var names = duplicates[0].Select(t => t.QualifiedName).ToList();
            throw new SourceException(connection.Name, duplicates[0].Key,
                $"Pipeline '{pipeline.Name}' ({pipeline.Location}): the tables {string.Join(" and ", names)} would land in the same warehouse table " +
                "(a warehouse table's name is its source table's, and DuckDB's names ignore case). " +
                "Select only one of them in this pipeline, and load the other with a pipeline of its own (another 'schema:', or 'query:' with 'table:').");
        }

        var streams = order.Tables.Select(t => new SourceStream(t.Name, $"{t.QualifiedName} (~{t.EstimatedRows:N0} rows)", t.Name, [])
        {
            PrimaryKey = t.PrimaryKey,
            ForeignKeys = t.ForeignKeys,
        }).ToList();
        return new Result(order.Tables, streams, order.Notes);
    }

    /// <summary>A table by <c>name</c> or <c>schema.name</c>.</summary>
    private static CatalogTable? Find(IReadOnlyList<CatalogTable> tables, string name) =>
        tables.FirstOrDefault(t => t.QualifiedName == name) ?? tables.FirstOrDefault(t => t.Name == name);

    /// <summary>The selected tables with the foreign keys of <c>foreign_keys:</c> added (a key the database declares already is kept once).</summary>
    private static List<CatalogTable> WithDeclaredKeys(
        IReadOnlyList<CatalogTable> selected, IReadOnlyList<CatalogTable> catalog, ImmutableArray<DeclaredForeignKey> declared, Func<string, string, SourceException> fail)
    {
        var tables = selected.ToList();
        foreach (var key in declared)
        {
            var index = tables.FindIndex(t => t.QualifiedName == key.Table || t.Name == key.Table);
            if (index < 0)
            {
                throw fail($"'foreign_keys:' names table '{key.Table}', which is not among the pipeline's tables ({string.Join(", ", tables.Select(t => t.QualifiedName))}).", key.Table);
            }

            var table = tables[index];
            var referenced = Find(catalog, key.ReferencedTable)
                ?? throw fail($"'foreign_keys: {key.Table}: {key.Column}' references '{key.ReferencedTable}', which is not a table of the database.", key.Table);
            if (table.Columns.All(c => c.Name != key.Column) || referenced.Columns.All(c => c.Name != key.ReferencedColumn))
            {
                throw fail($"'foreign_keys: {key.Table}: {key.Column}: {key.ReferencedTable}.{key.ReferencedColumn}' names a column that does not exist " +
                    $"({table.QualifiedName} has {string.Join(", ", table.Columns.Select(c => c.Name))}; {referenced.QualifiedName} has {string.Join(", ", referenced.Columns.Select(c => c.Name))}).", key.Table);
            }

            if (table.ForeignKeys.Any(fk => fk.Columns.SequenceEqual([key.Column]) && fk.ReferencedQualifiedName == referenced.QualifiedName))
            {
                continue;
            }

            var foreignKey = new CatalogForeignKey($"{table.Name}_{key.Column}_fkey", [key.Column], referenced.Schema, referenced.Name, [key.ReferencedColumn]);
            tables[index] = table with { ForeignKeys = table.ForeignKeys.Add(foreignKey) };
        }

        return tables;
    }
}
