using DuckDB.NET.Data;
using System.Text.Json;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Schema;
using Wharf.Sources.Files;

namespace Wharf.Sources.Http;

/// <summary>
/// Spooled records as tables, by DuckDB's JSON reader and the nested JSON rules of files
/// (<see cref="NestedJson"/>): objects become columns, lists child tables. The columns' types are
/// those the reader gives looking at every record (<c>sample_size = -1</c>), so a field first seen
/// on the last page is a column too, and a number with decimals after many whole ones makes the
/// column DOUBLE instead of failing the read.
/// </summary>
internal static class SpoolTables
{
    /// <summary>Records per spool file that DuckDB looks at when <see cref="Plan"/> may check its types against the shape.</summary>
    internal const int SampleSize = 2048;

    public static string Relation(IReadOnlyList<string> files) => Relation(files, -1);

    internal static string Relation(IReadOnlyList<string> files, int sampleSize) =>
        $"read_json([{string.Join(", ", files.Select(Quote.Literal))}], format = 'newline_delimited', sample_size = {sampleSize}, union_by_name = true)";

    /// <summary>
    /// The tables of the spooled records, the root first. With <paramref name="shape"/> (what every
    /// record held, seen as they were spooled), DuckDB types a sample of each file, and the shape says
    /// whether those types are the ones a look at every record would give (<see cref="Fits"/>): then
    /// nothing is typed again. Otherwise DuckDB looks at every record, and the tables' queries read them
    /// with those types given when the shape shows it reads the same values (<see cref="ReadsAlike"/>),
    /// which is three to four times faster than typing them again. Without a shape, every query types them.
    /// </summary>
    /// <param name="own">
    /// Columns the spool's writer added with types of its own (a message's metadata): read with
    /// those types, and not looked for in the shape, which holds the records' own fields.
    /// </param>
    /// <param name="earlier">The columns an earlier spool of the same run was typed with: taken without a sample when they fit this one's shape.</param>
    /// <exception cref="HttpSourceException">DuckDB cannot read the records.</exception>
    public static IReadOnlyList<NestedTable> Plan(DuckDBConnection workArea, IReadOnlyList<string> files, PipelineSettings pipeline, string connection,
        RecordShape? shape = null, IReadOnlyDictionary<string, string>? own = null, SampledColumns? earlier = null) =>
        PlanByFile(workArea, files, pipeline, connection, shape, own, earlier).Tables;

    /// <summary>
    /// The tables of the spooled records, as <see cref="Plan"/> gives them; and, when they are one
    /// table (no lists) read with its columns' types given, that table's query over some of the spool
    /// files, so each group of files can be a lake part of its own (null otherwise: an inferring read
    /// types each file by itself, and child tables' ids count documents across the files).
    /// </summary>
    /// <exception cref="HttpSourceException">DuckDB cannot read the records.</exception>
    public static (IReadOnlyList<NestedTable> Tables, Func<IReadOnlyList<string>, string>? SomeFiles) PlanByFile(
        DuckDBConnection workArea, IReadOnlyList<string> files, PipelineSettings pipeline, string connection, RecordShape? shape = null,
        IReadOnlyDictionary<string, string>? own = null, SampledColumns? earlier = null)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(pipeline);
        try
        {
            var relation = Relation(files);
            var (columns, given) = shape is null && own is null ? (NestedJson.Describe(workArea, relation), false) : Typed(workArea, files, shape, own ?? new Dictionary<string, string>(), earlier);
            IReadOnlyList<NestedTable> Tables(string read) => NestedJson.Plan(read, columns, pipeline.Table, pipeline.PrimaryKey, pipeline.Rules.MaxNesting);
            var tables = Tables(given ? TypedRelation(files, columns) : relation);
            return (tables, given && tables.Count == 1 ? some => Tables(TypedRelation(some, columns))[0].Sql : null);
        }
        catch (DuckDbException ex)
        {
            throw new HttpSourceException(connection, $"Pipeline '{pipeline.Name}': the records could not be read as a table: {ex.Summary} Nothing was loaded.", ex) { Stream = pipeline.Table };
        }
    }

    /// <summary>
    /// The records' columns, from a sample when they fit the shape, else from every record; and
    /// whether the tables' queries may read the records with them given. Under the shape's lock, as
    /// partitions still being fetched add to it. Without a shape (a field changed kind), the columns
    /// are given only when none of the records' own is a date or time.
    /// </summary>
    private static (IReadOnlyList<(string Name, string Type)> Columns, bool Given) Typed(
        DuckDBConnection workArea, IReadOnlyList<string> files, RecordShape? shape, IReadOnlyDictionary<string, string> own, SampledColumns? earlier)
    {
        if (shape is not null)
        {
            // Fits judges types against what every record held, wherever they came from: an earlier
            // spool's are as good as a sample of this one when the records have the same shape.
            if (earlier?.Columns is { } known && WithOwn(known, own) is var reused && FitsShape(reused))
            {
                return (reused, true);
            }

            var sampled = WithOwn(DescribeSample(workArea, files), own);
            if (FitsShape(sampled))
            {
                earlier?.Columns = sampled;
                return (sampled, true);
            }
        }

        var described = WithOwn(NestedJson.Describe(workArea, Relation(files)), own);
        bool Alike((string Name, string Type) c) => own.ContainsKey(c.Name) || ReadsAlike(DuckDbTypeTree.Parse(c.Type), shape?.Root.Known(c.Name));
        if (shape is null)
        {
            return (described, described.All(Alike));
        }

        lock (shape)
        {
            return (described, described.All(Alike));
        }

        bool FitsShape(List<(string Name, string Type)> columns)
        {
            lock (shape)
            {
                return Fits([.. columns.Where(c => !own.ContainsKey(c.Name))], shape.Root);
            }
        }
    }

    private static List<(string Name, string Type)> WithOwn(IReadOnlyList<(string Name, string Type)> columns, IReadOnlyDictionary<string, string> own) =>
        [.. columns.Select(c => own.TryGetValue(c.Name, out var type) ? (c.Name, type) : c)];

    /// <summary>
    /// The columns DuckDB gives the first <see cref="SampleSize"/> records of each file, asked of one
    /// file of those records: asked of the files themselves, DuckDB's JSON reader holds a buffer of up
    /// to 32 MiB for each file while it binds, so the process grew with the partitions and their size
    /// (640 MiB more for 20 partitions of 3M records; bench/README.md).
    /// </summary>
    private static IReadOnlyList<(string Name, string Type)> DescribeSample(DuckDBConnection workArea, IReadOnlyList<string> files)
    {
        if (files.Count == 1)
        {
            return NestedJson.Describe(workArea, Relation(files, SampleSize));
        }

        var sample = Path.Combine(Path.GetDirectoryName(files[0])!, $"sample-{Guid.NewGuid():N}.ndjson");
        try
        {
            using (var writer = new StreamWriter(sample, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                foreach (var file in files)
                {
                    using var reader = new StreamReader(file, System.Text.Encoding.UTF8);
                    for (var i = 0; i < SampleSize && reader.ReadLine() is { } line; i++)
                    {
                        writer.WriteLine(line);
                    }
                }
            }

            return NestedJson.Describe(workArea, Relation([sample], -1));
        }
        finally
        {
            File.Delete(sample);
        }
    }

    private static string TypedRelation(IReadOnlyList<string> files, IReadOnlyList<(string Name, string Type)> columns) =>
        $"read_json([{string.Join(", ", files.Select(Quote.Literal))}], format = 'newline_delimited', " +
        $"columns = {{{string.Join(", ", columns.Select(c => $"{Quote.Literal(c.Name)}: {Quote.Literal(c.Type)}"))}}})";

    /// <summary>
    /// Whether the columns DuckDB typed from a sample are those it would give looking at every record,
    /// which <paramref name="root"/> saw: the same fields at every level, and each type one that the
    /// sample could only have got if every value has it. A string type other than VARCHAR needs every
    /// string in one form (<see cref="TextForm"/>), BIGINT every number a BIGINT; VARCHAR and DOUBLE
    /// are as general as the reader goes. Anything else (a map, a HUGEINT) is left to a look at every record.
    /// </summary>
    internal static bool Fits(IReadOnlyList<(string Name, string Type)> columns, ShapeNode root) =>
        SameNames(columns.Select(c => c.Name), root) && columns.All(c => FieldFits(DuckDbTypeTree.Parse(c.Type), root.Known(c.Name)));

    private static bool FieldFits(DuckDbTypeTree type, ShapeNode? node)
    {
        if (node is null)
        {
            return false;
        }

        if (type.IsStruct)
        {
            return node.Kind == JsonValueKind.Object && SameNames(type.Fields!.Select(f => f.Name), node) && type.Fields!.All(f => FieldFits(f.Type, node.Known(f.Name)));
        }

        if (type.IsList)
        {
            return node.Kind == JsonValueKind.Array && (node.KnownItems is { } items ? FieldFits(type.Element!, items) : type.Element!.Text == "JSON");
        }

        var strings = node.Kind == JsonValueKind.String ? node.Texts : TextForms.Other;
        return type.Text switch
        {
            "VARCHAR" => node.Kind == JsonValueKind.String || node is { Kind: JsonValueKind.Number, Inexact: true, Texts: TextForms.None },
            "DOUBLE" => node is { Kind: JsonValueKind.Number, Inexact: false, Texts: TextForms.None },
            "BIGINT" => node is { Kind: JsonValueKind.Number, Inexact: false, NonBigint: false, Texts: TextForms.None },
            "BOOLEAN" => node is { Kind: JsonValueKind.True, Texts: TextForms.None },
            "JSON" => node is { Kind: null, Texts: TextForms.None },
            "DATE" => strings == TextForms.Date,
            "TIME" => strings == TextForms.Time,
            "UUID" => strings == TextForms.Uuid,
            "TIMESTAMP" => TextForm.IsOne(strings) && TextForm.IsTimestamp(strings),
            _ => false,
        };
    }

    private static bool SameNames(IEnumerable<string> names, ShapeNode node)
    {
        var typed = names.ToHashSet(StringComparer.Ordinal);
        return typed.Count == node.KnownNames.Count && node.KnownNames.All(typed.Contains);
    }

    /// <summary>
    /// Whether a column of the detected <paramref name="type"/> reads the same values when the type is
    /// given. Only dates and times differ: the reader detects formats that a given type does not parse
    /// alike (<see cref="TextForm"/>), so every string of such a column must be plain ISO. A
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
        return !temporal || node is { Kind: JsonValueKind.String } && TextForm.AllIsoTemporal(node.Texts);
    }
}

/// <summary>
/// The columns the records of a run's earlier spool were typed with, from a sample: a stream's
/// later batches and a cursor's later partitions whose records have the same shape take them
/// without asking DuckDB again (about 50 ms a batch of 50,000 messages).
/// </summary>
internal sealed class SampledColumns
{
    public IReadOnlyList<(string Name, string Type)>? Columns { get; set; }
}
