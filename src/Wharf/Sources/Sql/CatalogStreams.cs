using Wharf.Projects;

namespace Wharf.Sources.Sql;

/// <summary>
/// From a database's catalog to a pipeline's streams: the tables its <c>tables:</c> select, in
/// foreign-key order, one stream per table (named after it, carrying its keys).
/// </summary>
internal static class CatalogStreams
{
    public sealed record Result(IReadOnlyList<CatalogTable> Tables, IReadOnlyList<SourceStream> Streams, IReadOnlyList<string> Notes);

    /// <param name="where">How to name the database in errors, e.g. <c>user@host:5432/shop</c>.</param>
    public static Result Select(IReadOnlyList<CatalogTable> catalog, PipelineSettings pipeline, ConnectionSettings connection, string where)
    {
        var selected = TableSelection.Select(catalog, pipeline.Tables, problem =>
            new SourceException(connection.Name, "", $"Pipeline '{pipeline.Name}' ({pipeline.Location}): in '{connection.Name}' ({where}), {problem}"));
        var order = ForeignKeyOrder.Sort(selected);
        var duplicates = order.Tables.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new SourceException(connection.Name, duplicates[0],
                $"Pipeline '{pipeline.Name}' ({pipeline.Location}): tables of different schemas share the name {string.Join(", ", duplicates)}, " +
                "and they would land in the same warehouse table. Select one schema per pipeline.");
        }

        var streams = order.Tables.Select(t => new SourceStream(t.Name, $"{t.QualifiedName} (~{t.EstimatedRows:N0} rows)", t.Name, [])
        {
            PrimaryKey = t.PrimaryKey,
            ForeignKeys = t.ForeignKeys,
        }).ToList();
        return new Result(order.Tables, streams, order.Notes);
    }
}
