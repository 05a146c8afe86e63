using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Sources.Files;

namespace Wharf.Sources.Http;

/// <summary>
/// Spooled records as tables, by DuckDB's JSON reader and the nested JSON rules of files
/// (<see cref="NestedJson"/>): objects become columns, lists child tables. The reader looks at every
/// record before typing a column (<c>sample_size = -1</c>), so a field first seen on the last page is
/// a column too, and a number with decimals after many whole ones makes the column DOUBLE instead of
/// failing the read.
/// </summary>
internal static class SpoolTables
{
    public static string Relation(IReadOnlyList<string> files) =>
        $"read_json([{string.Join(", ", files.Select(Quote.Literal))}], format = 'newline_delimited', sample_size = -1, union_by_name = true)";

    /// <summary>The tables of the spooled records, the root first.</summary>
    /// <exception cref="HttpSourceException">DuckDB cannot read the records.</exception>
    public static IReadOnlyList<NestedTable> Plan(DuckDBConnection workArea, IReadOnlyList<string> files, PipelineSettings pipeline, string connection)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(pipeline);
        try
        {
            return NestedJson.Plan(workArea, Relation(files), pipeline.Table, pipeline.PrimaryKey, pipeline.Rules.MaxNesting);
        }
        catch (DuckDbException ex)
        {
            throw new HttpSourceException(connection, $"Pipeline '{pipeline.Name}': the records could not be read as a table: {ex.Summary} Nothing was loaded.", ex) { Stream = pipeline.Table };
        }
    }
}
