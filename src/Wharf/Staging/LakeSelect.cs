using System.Collections.Immutable;
using Wharf.Lake;
using Wharf.Schema;

namespace Wharf.Staging;

/// <summary>
/// The DuckDB query that reads a load's lake files as they enter the warehouse: real types
/// restored, column names in snake_case, Wharf's metadata columns added. Both warehouses load
/// from it (DuckDB directly, PostgreSQL by streaming its rows).
/// </summary>
internal sealed record LakeSelect(string Sql, IReadOnlyList<string> Columns, IReadOnlyList<string> PrimaryKey)
{
    /// <summary>Columns added by <see cref="For(LoadRequest, bool, bool)"/> with <c>ordered</c>: which file, which row in it.</summary>
    public const string FileColumn = "__wharf_file";

    public const string RowColumn = "__wharf_row";

    public const string RunIdColumn = "_wharf_run_id";

    public const string LoadedAtColumn = "_wharf_loaded_at";

    /// <summary>An scd2 table's columns: when a version began and ended, and whether it is the current one.</summary>
    public const string ValidFromColumn = "_wharf_valid_from";

    public const string ValidToColumn = "_wharf_valid_to";

    public const string IsCurrentColumn = "_wharf_is_current";

    /// <summary>With <c>deletes: soft</c>: when the source stopped having the row.</summary>
    public const string DeletedAtColumn = "_wharf_deleted_at";

    /// <summary>
    /// The columns Wharf adds to tables. A source column of one of these names (a table copied
    /// from another warehouse, say) is loaded numbered, <c>_wharf_run_id_2</c>, so Wharf's own
    /// column keeps its meaning.
    /// </summary>
    private static readonly string[] WharfColumns = [RunIdColumn, LoadedAtColumn, ValidFromColumn, ValidToColumn, IsCurrentColumn, DeletedAtColumn];

    private ImmutableDictionary<string, string> warehouseNames = ImmutableDictionary<string, string>.Empty;

    /// <summary>The same rows with <see cref="FileColumn"/> and <see cref="RowColumn"/> added, when they were reshaped by staging.</summary>
    public string? OrderedSql { get; init; }

    /// <summary>
    /// The rows as staging reshaped them (types, processors, the table's schema): a column keeps
    /// its source name as an alias while it is still loaded.
    /// </summary>
    public LakeSelect Reshaped(string sql, string orderedSql, IReadOnlyList<string> dataColumns, string table)
    {
        ArgumentNullException.ThrowIfNull(dataColumns);
        var loaded = dataColumns.ToHashSet(StringComparer.Ordinal);
        var names = warehouseNames.Where(n => loaded.Contains(n.Value))
            .Concat(dataColumns.Where(c => !warehouseNames.ContainsKey(c)).Select(c => new KeyValuePair<string, string>(c, c)))
            .ToImmutableDictionary(StringComparer.Ordinal);
        // A key may also be a column a processor made (rename, derive): it is looked up now.
        var keys = PrimaryKey.Select(k => loaded.Contains(k) ? k : loaded.Contains(Schema.ColumnNames.ToSnakeCase(k)) ? Schema.ColumnNames.ToSnakeCase(k) : null).ToList();
        var missingKey = PrimaryKey.Where((k, i) => keys[i] is null).FirstOrDefault();
        return missingKey is null
            ? this with { Sql = sql, OrderedSql = orderedSql, Columns = [.. dataColumns, RunIdColumn, LoadedAtColumn], PrimaryKey = [.. keys!], warehouseNames = names }
            : throw new ColumnNotFoundException(table, missingKey, $"The primary key column '{missingKey}' of {table} is not among the columns loaded (a transform step removed or renamed it). Keep it, or change 'primary_key:'.");
    }

    /// <summary>The extract's own columns, without Wharf's metadata.</summary>
    public IReadOnlyList<string> DataColumns => [.. Columns.Where(c => c is not (RunIdColumn or LoadedAtColumn))];

    /// <param name="ordered">Adds <see cref="FileColumn"/> and <see cref="RowColumn"/>, so the last version of a key can be picked.</param>
    /// <param name="keysLater">Leave primary key columns the lake files lack to <see cref="Reshaped"/> (a processor may make them).</param>
    public static LakeSelect For(LoadRequest request, bool ordered = false, bool keysLater = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        var select = Read(request, request.Files, ordered, keysLater);
        if (request.LeftOutDocuments is { } leftOut)
        {
            select = select with { Sql = $"SELECT * FROM ({select.Sql}) WHERE {SetAsideDocuments.Kept(leftOut)}" };
        }

        if (!request.Previous.IsEmpty && request.Previous[0].Columns.SequenceEqual(request.Files[0].Columns) && select.PrimaryKey.Count > 0)
        {
            // change_detection: hash. Rows the previous snapshot has with the same values are not
            // staged at all, so the warehouse only receives what changed.
            var previous = Read(request, request.Previous, ordered: false);
            var keys = string.Join(" AND ", select.PrimaryKey.Select(k => $"p.{Quote.Identifier(k)} = n.{Quote.Identifier(k)}"));
            // Intervals hash by their length ('1 month' as '30 days'): by their text, a change between them is seen.
            var intervals = WarehouseColumns(request.Files[0]).Where(c => c.Column.Type == "INTERVAL").Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            string Hashed(string alias, string column) => intervals.Contains(column)
                ? $"CAST({alias}.{Quote.Identifier(column)} AS VARCHAR)"
                : $"{alias}.{Quote.Identifier(column)}";
            var data = select.DataColumns;
            select = select with
            {
                Sql = $"SELECT n.* FROM ({select.Sql}) AS n WHERE NOT EXISTS (SELECT 1 FROM ({previous.Sql}) AS p WHERE {keys} " +
                    $"AND hash({string.Join(", ", data.Select(c => Hashed("p", c)))}) = hash({string.Join(", ", data.Select(c => Hashed("n", c)))}))",
            };
        }

        return select;
    }

    /// <summary>
    /// The primary keys held in <paramref name="files"/> (delete detection), in warehouse names. Not
    /// made distinct: the anti-join does not care, and DISTINCT would hold every key in memory.
    /// </summary>
    public static LakeSelect Keys(LoadRequest request, ImmutableArray<LakeManifest> files)
    {
        var select = Read(request, files, ordered: false);
        var keys = string.Join(", ", select.PrimaryKey.Select(Quote.Identifier));
        return select with { Sql = $"SELECT {keys} FROM ({select.Sql})", Columns = select.PrimaryKey };
    }

    /// <summary>The warehouse name of a column named as in the source or already in snake_case.</summary>
    public string WarehouseName(string name, string table, string setting) => warehouseNames.TryGetValue(name, out var normalized)
        ? normalized
        : throw new ColumnNotFoundException(table, name, $"'{name}' is not among the columns of {table} ({string.Join(", ", DataColumns)}). Fix '{setting}:' in wharf.yml.");

    /// <summary>A lake file's columns, each with the name it has in the warehouse.</summary>
    public static IReadOnlyList<(string Name, LakeColumn Column)> WarehouseColumns(LakeManifest file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var names = ColumnNames.Normalize([.. file.Columns.Select(c => c.Name)], WharfColumns);
        return [.. file.Columns.Select((c, i) => (names[i], c))];
    }

    private static LakeSelect Read(LoadRequest request, ImmutableArray<LakeManifest> lakeFiles, bool ordered, bool keysLater = false)
    {
        var columns = WarehouseColumns(lakeFiles[0]);
        var names = columns.Select(c => c.Name).ToList();
        var projections = columns.Select(c => c.Name == c.Column.Name && c.Column.StoredAs is null ? c.Column.ReadExpression : $"{c.Column.ReadExpression} AS {Quote.Identifier(c.Name)}");
        var files = LakeLayout.ParquetList(request.LakeRoot, lakeFiles);
        var loadedAt = request.LoadedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
        var order = ordered ? $", filename AS {FileColumn}, file_row_number AS {RowColumn}" : "";
        var options = ordered ? ", filename = true, file_row_number = true" : "";
        var sql = $"SELECT {string.Join(", ", projections)}, {Quote.Literal(request.RowsRunId ?? request.Record.RunId)} AS {RunIdColumn}, " +
            $"TIMESTAMPTZ {Quote.Literal(loadedAt + "+00")} AS {LoadedAtColumn}{order} FROM read_parquet([{files}], union_by_name = true{options})";

        // A column may be named as in the source or as in the warehouse (snake_case).
        var warehouseName = columns
            .SelectMany(c => new[] { (Key: c.Column.Name, Normalized: c.Name), (Key: c.Name, Normalized: c.Name) })
            .DistinctBy(c => c.Key)
            .ToImmutableDictionary(c => c.Key, c => c.Normalized, StringComparer.Ordinal);
        var select = new LakeSelect(sql, [.. names, RunIdColumn, LoadedAtColumn], []) { warehouseNames = warehouseName };
        var table = $"{request.Schema}.{request.Table}";
        return select with
        {
            PrimaryKey = [.. request.PrimaryKey.Select(key => keysLater && !warehouseName.ContainsKey(key) ? key : select.WarehouseName(key, table, "primary_key"))],
        };
    }
}
