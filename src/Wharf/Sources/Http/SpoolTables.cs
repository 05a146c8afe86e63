using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Schema;
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

    /// <summary>
    /// The tables of the spooled records, the root first. The reader types the records once, for the
    /// plan; the tables' queries then read them with those types given, which is three to four
    /// times faster than typing them again, when <paramref name="shape"/> (what the records held, seen
    /// as they were spooled) shows it reads the same values (see <see cref="ReadsAlike"/>).
    /// </summary>
    /// <exception cref="HttpSourceException">DuckDB cannot read the records.</exception>
    public static IReadOnlyList<NestedTable> Plan(DuckDBConnection workArea, IReadOnlyList<string> files, PipelineSettings pipeline, string connection, RecordShape? shape = null)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(pipeline);
        try
        {
            var relation = Relation(files);
            var columns = NestedJson.Describe(workArea, relation);
            if (shape is not null && TypesReadAlike(columns, shape))
            {
                relation = TypedRelation(files, columns);
            }

            return NestedJson.Plan(relation, columns, pipeline.Table, pipeline.PrimaryKey, pipeline.Rules.MaxNesting);
        }
        catch (DuckDbException ex)
        {
            throw new HttpSourceException(connection, $"Pipeline '{pipeline.Name}': the records could not be read as a table: {ex.Summary} Nothing was loaded.", ex) { Stream = pipeline.Table };
        }
    }

    /// <summary>Whether every column reads alike; under the shape's lock, as partitions still being fetched add to it.</summary>
    private static bool TypesReadAlike(IReadOnlyList<(string Name, string Type)> columns, RecordShape shape)
    {
        lock (shape)
        {
            return columns.All(c => ReadsAlike(DuckDbTypeTree.Parse(c.Type), shape.Root.Known(c.Name)));
        }
    }

    private static string TypedRelation(IReadOnlyList<string> files, IReadOnlyList<(string Name, string Type)> columns) =>
        $"read_json([{string.Join(", ", files.Select(Quote.Literal))}], format = 'newline_delimited', " +
        $"columns = {{{string.Join(", ", columns.Select(c => $"{Quote.Literal(c.Name)}: {Quote.Literal(c.Type)}"))}}})";

    /// <summary>
    /// Whether a column of the detected <paramref name="type"/> reads the same values when the type is
    /// given. Only dates and times differ: the reader detects formats that a given type does not parse
    /// alike (<see cref="IsoTemporalText"/>), so every string of such a column must be plain ISO. A
    /// field the shape does not know (or a map, not walked) is not taken on trust.
    /// </summary>
    private static bool ReadsAlike(DuckDbTypeTree type, ShapeNode? node)
    {
        if (type.IsStruct)
        {
            return type.Fields!.All(f => ReadsAlike(f.Type, node?.Known(f.Name)));
        }

        if (type.IsList)
        {
            return ReadsAlike(type.Element!, node?.KnownItems);
        }

        var temporal = type.Text.Contains("DATE", StringComparison.Ordinal) || type.Text.Contains("TIME", StringComparison.Ordinal);
        return !temporal || node is { Kind: System.Text.Json.JsonValueKind.String, NonIsoText: false };
    }
}
