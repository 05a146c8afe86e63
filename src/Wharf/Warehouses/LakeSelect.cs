using Wharf.Schema;

namespace Wharf.Warehouses;

/// <summary>
/// The DuckDB query that reads a load's lake files as they enter the warehouse: real types
/// restored, column names in snake_case, Wharf's metadata columns added. Both warehouses load
/// from it (DuckDB directly, PostgreSQL by streaming its rows).
/// </summary>
public sealed record LakeSelect(string Sql, IReadOnlyList<string> Columns, IReadOnlyList<string> PrimaryKey)
{
    /// <summary>Columns added by <see cref="For(LoadRequest, bool)"/> with <c>ordered</c>: which file, which row in it.</summary>
    public const string FileColumn = "__wharf_file";

    public const string RowColumn = "__wharf_row";

    /// <param name="ordered">Adds <see cref="FileColumn"/> and <see cref="RowColumn"/>, so the last version of a key can be picked.</param>
    public static LakeSelect For(LoadRequest request, bool ordered = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        var columns = request.Files[0].Columns;
        var names = ColumnNames.Normalize([.. columns.Select(c => c.Name)]);
        var projections = columns.Select((c, i) => c.Name == names[i] && c.StoredAs is null ? c.ReadExpression : $"{c.ReadExpression} AS {Quote.Identifier(names[i])}");
        var files = string.Join(", ", request.Files.Select(f => Quote.Literal(Path.Combine(request.LakeRoot, f.File))));
        var loadedAt = request.Record.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture);
        var order = ordered ? $", filename AS {FileColumn}, file_row_number AS {RowColumn}" : "";
        var options = ordered ? ", filename = true, file_row_number = true" : "";
        var sql = $"SELECT {string.Join(", ", projections)}, {Quote.Literal(request.Record.RunId)} AS _wharf_run_id, " +
            $"TIMESTAMPTZ {Quote.Literal(loadedAt + "+00")} AS _wharf_loaded_at{order} FROM read_parquet([{files}], union_by_name = true{options})";

        // A key may be named as in the source or as in the warehouse (snake_case).
        var warehouseName = columns.Select((c, i) => (c.Name, Normalized: names[i]))
            .SelectMany(c => new[] { (Key: c.Name, c.Normalized), (Key: c.Normalized, c.Normalized) })
            .DistinctBy(c => c.Key)
            .ToDictionary(c => c.Key, c => c.Normalized, StringComparer.Ordinal);
        var primaryKey = request.PrimaryKey.Select(key => warehouseName.TryGetValue(key, out var name)
            ? name
            : throw new Runs.LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
                $"The primary key column '{key}' is not among the columns of {request.Schema}.{request.Table} ({string.Join(", ", names)}). Fix 'primary_key:' in wharf.yml.")).ToList();
        return new LakeSelect(sql, [.. names, "_wharf_run_id", "_wharf_loaded_at"], primaryKey);
    }
}
