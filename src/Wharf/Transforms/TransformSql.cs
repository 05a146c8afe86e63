using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Schema;

namespace Wharf.Transforms;

/// <summary>A column of a staged relation: its name and DuckDB type.</summary>
internal sealed record StagedColumn(string Name, string Type);

/// <summary>The rows after the processors, their columns, the rows dropped, and what each lookup step reads.</summary>
internal sealed record Transformed(string Sql, IReadOnlyList<StagedColumn> Columns, long Removed, IReadOnlyList<LookupInput> Lookups);

/// <summary>A lookup step, the rows it reads (its input) and the column it looks up, for the names to add to its dimension.</summary>
internal sealed record LookupInput(ProcessorSettings Step, string Rows, string Column);

/// <summary>
/// Compiles <c>transform:</c> to DuckDB SQL over the staged rows, one subquery per processor.
/// Each step is bound (DESCRIBE) as it is compiled, so a wrong column or a bad expression is
/// reported naming the processor and its position before any row is read; casts and timestamp
/// parsing are tried on the data first, so a value that does not convert is reported the same way.
/// </summary>
/// <param name="carried">Columns every step carries along untouched (Wharf's metadata).</param>
internal sealed class TransformSql(DuckDBConnection workArea, string table, IReadOnlyList<string> carried)
{
    /// <summary>
    /// The rows after every processor, their columns (without the carried ones), and how many rows
    /// the steps that drop rows dropped (counted around them, apart from the steps that reshape).
    /// </summary>
    public Transformed Apply(string input, IReadOnlyList<StagedColumn> columns, IReadOnlyList<ProcessorSettings> processors)
    {
        ArgumentNullException.ThrowIfNull(processors);
        var sql = input;
        long removed = 0;
        var lookups = new List<LookupInput>();
        string? countedFrom = null;
        foreach (var processor in processors)
        {
            if (processor.Reshapes && countedFrom is not null)
            {
                removed += Count(countedFrom) - Count(sql);
                countedFrom = null;
            }

            if (processor.RemovesRows)
            {
                countedFrom ??= sql;
            }

            if (processor.Lookup is { } lookup)
            {
                lookups.Add(new LookupInput(processor, sql, ColumnNames.Pick(columns, [lookup.Column], c => c.Name, table, processor.ToString())[0].Name));
            }

            var next = Compile(processor, sql, columns);
            try
            {
                columns = Describe(workArea, next, carried);
            }
            catch (DuckDbException ex)
            {
                throw new TransformException(table, processor.ToString(), $"{processor} for {table} does not compile: {ex.Summary} Nothing was loaded; fix the step in wharf.yml.", ex);
            }

            TryConversions(processor, sql, columns);
            sql = next;
        }

        if (countedFrom is not null)
        {
            removed += Count(countedFrom) - Count(sql);
        }

        return new Transformed(sql, columns, removed, lookups);
    }

    private long Count(string sql) => Convert.ToInt64(workArea.Scalar($"SELECT count(*) FROM ({sql})") ?? 0L, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The columns of a relation, without the carried ones.</summary>
    public static IReadOnlyList<StagedColumn> Describe(DuckDBConnection workArea, string sql, IReadOnlyList<string> carried)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        using var reader = workArea.Query($"DESCRIBE {sql}");
        var columns = new List<StagedColumn>();
        while (reader.Read())
        {
            if (!carried.Contains(reader.GetString(0)))
            {
                columns.Add(new StagedColumn(reader.GetString(0), reader.GetString(1)));
            }
        }

        return columns;
    }

    private string Compile(ProcessorSettings processor, string input, IReadOnlyList<StagedColumn> columns)
    {
        var from = $"FROM ({input}) AS t";
        IReadOnlyList<StagedColumn> Pick(IReadOnlyList<string> names) => ColumnNames.Pick(columns, names, c => c.Name, table, processor.ToString());
        string Name(string name) => Quote.Identifier(Pick([name])[0].Name);
        string Replace(IEnumerable<string> expressions) => $"SELECT * REPLACE ({string.Join(", ", expressions)}) {from}";
        var keys = processor.Pairs.Select(p => p.Key).ToList();
        switch (processor.Kind)
        {
            case ProcessorKind.Select:
                return $"SELECT {string.Join(", ", Pick(processor.Columns).Select(c => Quote.Identifier(c.Name)).Concat(carried.Select(Quote.Identifier)))} {from}";
            case ProcessorKind.Exclude:
                return $"SELECT * EXCLUDE ({string.Join(", ", Pick(processor.Columns).Select(c => Quote.Identifier(c.Name)))}) {from}";
            case ProcessorKind.Rename:
                var renamed = processor.Pairs.Select(p => (From: Name(p.Key), To: p.Value)).ToList();
                var clash = renamed.Select(r => r.To).FirstOrDefault(to => columns.Any(c => c.Name == to) && renamed.All(r => r.From != Quote.Identifier(to)));
                return clash is null
                    ? $"SELECT * RENAME ({string.Join(", ", renamed.Select(r => $"{r.From} AS {Quote.Identifier(r.To)}"))}) {from}"
                    : throw new TransformException(table, processor.ToString(), $"{processor} for {table}: renaming to '{clash}' would give two columns that name. Exclude or rename the other first.");
            case ProcessorKind.Cast:
                return Replace(processor.Pairs.Select(p => $"CAST({Name(p.Key)} AS {p.Value}) AS {Name(p.Key)}"));
            case ProcessorKind.Filter:
                return $"SELECT * {from} WHERE ({processor.Condition})";
            case ProcessorKind.Derive:
                var existing = processor.Pairs.Where(p => columns.Any(c => c.Name == p.Key)).ToList();
                var added = processor.Pairs.Where(p => columns.All(c => c.Name != p.Key)).ToList();
                var replace = existing.Count == 0 ? "*" : $"* REPLACE ({string.Join(", ", existing.Select(p => $"({p.Value}) AS {Quote.Identifier(p.Key)}"))})";
                return $"SELECT {replace}{string.Concat(added.Select(p => $", ({p.Value}) AS {Quote.Identifier(p.Key)}"))} {from}";
            case ProcessorKind.DropNulls:
                return $"SELECT * {from} WHERE {string.Join(" AND ", Pick(processor.Columns).Select(c => $"{Quote.Identifier(c.Name)} IS NOT NULL"))}";
            case ProcessorKind.FillNulls:
                return Replace(processor.Pairs.Select(p =>
                {
                    var column = Pick([p.Key])[0];
                    var type = LogicalType.FromDuckDb(column.Type);

                    // A value that does not convert would fail mid-load, and one that converts inexactly ('1.5' into an integer) would be rounded.
                    return workArea.Scalar($"SELECT {SchemaPlan.Fits(Quote.Literal(p.Value), LogicalType.Text, type)}") is true
                        ? $"coalesce({Quote.Identifier(column.Name)}, CAST({Quote.Literal(p.Value)} AS {column.Type})) AS {Quote.Identifier(column.Name)}"
                        : throw new TransformException(table, processor.ToString(), $"{processor} for {table}: the fill value '{p.Value}' of '{column.Name}' does not convert exactly to {type}. Nothing was loaded; fix the step in wharf.yml.");
                }));
            case ProcessorKind.Trim or ProcessorKind.Lower or ProcessorKind.Upper:
                var function = processor.Kind == ProcessorKind.Trim ? "trim" : processor.Name;
                return Replace(Pick(processor.Columns).Select(c => c.Type == "VARCHAR"
                    ? $"{function}({Quote.Identifier(c.Name)}) AS {Quote.Identifier(c.Name)}"
                    : throw new TransformException(table, processor.ToString(), $"{processor} for {table}: '{c.Name}' is {LogicalType.FromDuckDb(c.Type)}, not text; {processor.Name} applies to text columns.")));
            case ProcessorKind.Resample:
                return ReshapeSql.Resample(processor.Resample!, from, columns, carried, table, processor.ToString());
            case ProcessorKind.Unpivot:
                return ReshapeSql.Unpivot(processor.Unpivot!, from, columns, table, processor.ToString());
            case ProcessorKind.Lookup:
                return LookupSql.Compile(processor, input, columns, table);
            case ProcessorKind.ParseTimestamp:
                return Replace(processor.Pairs.Select(p =>
                {
                    var column = Pick([p.Key])[0];
                    return column.Type == "VARCHAR"
                        ? $"strptime({Quote.Identifier(column.Name)}, {Quote.Literal(p.Value)}) AS {Quote.Identifier(column.Name)}"
                        : throw new TransformException(table, processor.ToString(), $"{processor} for {table}: '{column.Name}' is already {LogicalType.FromDuckDb(column.Type)}; parse_timestamp reads text.");
                }));
            default:
                var by = Pick(processor.Columns).Select(c => Quote.Identifier(c.Name));
                var direction = processor.KeepLast ? "DESC" : "ASC";
                var order = processor.OrderBy is { } orderBy
                    ? $"{Name(orderBy)} {direction} NULLS LAST"
                    : string.Join(", ", carried.Where(c => c.StartsWith("__wharf_", StringComparison.Ordinal)).Select(c => $"{Quote.Identifier(c)} {direction}"));
                return $"SELECT * {from} QUALIFY row_number() OVER (PARTITION BY {string.Join(", ", by)} ORDER BY {order}) = 1";
        }
    }

    /// <summary>Casts and timestamp parsing fail on the first bad value; find it first and say which step and value.</summary>
    private void TryConversions(ProcessorSettings processor, string input, IReadOnlyList<StagedColumn> after)
    {
        if (processor.Kind is not (ProcessorKind.Cast or ProcessorKind.ParseTimestamp))
        {
            return;
        }

        foreach (var (key, value) in processor.Pairs)
        {
            var column = Quote.Identifier(ColumnNames.Pick(after, [key], c => c.Name, table, processor.ToString())[0].Name);
            var attempt = processor.Kind == ProcessorKind.Cast ? $"TRY_CAST({column} AS {value})" : $"try_strptime({column}, {Quote.Literal(value)})";
            using var reader = workArea.Query($"SELECT count(*), any_value(CAST({column} AS VARCHAR)) FROM ({input}) AS t WHERE {column} IS NOT NULL AND {attempt} IS NULL");
            reader.Read();
            var bad = reader.GetInt64(0);
            if (bad > 0)
            {
                var wanted = processor.Kind == ProcessorKind.Cast ? $"be cast to {LogicalType.FromDuckDb(value)}" : $"be parsed with the format '{value}'";
                throw new TransformException(table, processor.ToString(),
                    $"{processor} for {table}: {bad:N0} value(s) of '{key}' cannot {wanted}, e.g. '{reader.GetString(1)}'. Nothing was loaded. " +
                    "Fix the data, drop those rows with a 'filter' step first, or catch them with a check and on_check_failure: quarantine.");
            }
        }
    }
}
