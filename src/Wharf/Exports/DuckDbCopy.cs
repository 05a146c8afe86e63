using System.Data.Common;
using System.Globalization;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>
/// DuckDB's own <c>COPY … TO</c>, for the formats it writes (CSV, gzipped CSV, Parquet, JSON):
/// the engine streams the result straight to the file, so an export costs what DuckDB's COPY does.
/// </summary>
internal static class DuckDbCopy
{
    /// <summary>About how much of a whole table's export a Parquet row group holds, so wide rows make short groups.</summary>
    public const int RowGroupBytes = 32 << 20;

    /// <summary>DuckDB's own Parquet row group, the most a group holds.</summary>
    public const int MaxRowGroupRows = 122_880;

    /// <summary>The fewest rows in a group (DuckDB's vector size).</summary>
    public const int MinRowGroupRows = 2_048;

    /// <summary>The COPY statement, or null for a format DuckDB does not write (xlsx, html, md: <see cref="Writes"/>).</summary>
    /// <param name="wholeTableRowBytes">
    /// For a whole table's rows (no query, no partitions), the bytes of a row (<see cref="RowBytesAsync"/>):
    /// the rows then have no order to keep, and DuckDB writes them as its threads read them. Its
    /// order-keeping COPY held every row group that was read ahead of its turn: a 60-column text
    /// table failed "Out of Memory" under the 512MB limit, and took 6 GB without one. A Parquet
    /// row group holds about <see cref="RowGroupBytes"/> of rows, since each thread builds one in memory.
    /// </param>
    public static string? Statement(string query, string path, ExportFormat format, IReadOnlyList<string> partitionBy, double? wholeTableRowBytes = null)
    {
        if (Options(format) is not { } options)
        {
            return null;
        }

        if (partitionBy.Count > 0)
        {
            options += $", PARTITION_BY ({string.Join(", ", partitionBy.Select(Quote.Identifier))})";
        }

        if (wholeTableRowBytes is { } rowBytes)
        {
            options += ", PRESERVE_ORDER false";
            if (format == ExportFormat.Parquet)
            {
                var rows = (int)Math.Clamp(RowGroupBytes / Math.Max(rowBytes, 1), MinRowGroupRows, MaxRowGroupRows);
                options += string.Create(CultureInfo.InvariantCulture, $", ROW_GROUP_SIZE {rows}");
            }
        }

        return $"COPY ({query}) TO {Quote.Literal(path)} ({options})";
    }

    /// <summary>Whether DuckDB writes the format itself.</summary>
    public static bool Writes(ExportFormat format) => Options(format) is not null;

    private static string? Options(ExportFormat format) => format switch
    {
        ExportFormat.Csv => "FORMAT csv, HEADER true",
        ExportFormat.CsvGz => "FORMAT csv, HEADER true, COMPRESSION gzip",
        ExportFormat.Parquet => "FORMAT parquet, COMPRESSION zstd",
        ExportFormat.NdJson => "FORMAT json",
        ExportFormat.Json => "FORMAT json, ARRAY true",
        _ => null,
    };

    /// <summary>
    /// The query, with the columns DuckDB's writer would not keep exactly cast to what it does:
    /// in Parquet, HUGEINT and UHUGEINT as DECIMAL(38,0) (its writer has no 128-bit integer and
    /// wrote a DOUBLE: 9007199254740993 came back 9007199254740992; beyond 38 digits the export
    /// fails rather than round); in JSON, a DOUBLE's or FLOAT's NaN and infinities as the strings
    /// <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c> (DuckDB wrote them bare, which is not JSON).
    /// Partition columns name folders, not values in the files, and stay as they are.
    /// </summary>
    public static string Exact(string query, IReadOnlyList<(string Name, string Type)> columns, ExportFormat format, IReadOnlyList<string> partitionBy)
    {
        var casts = columns
            .Where(c => !partitionBy.Contains(c.Name))
            .Select(c => Exact(Quote.Identifier(c.Name), c.Type, format) is { } cast ? $"{cast} AS {Quote.Identifier(c.Name)}" : null)
            .OfType<string>()
            .ToList();
        return casts.Count == 0 ? query : $"SELECT * REPLACE ({string.Join(", ", casts)}) FROM ({query}) AS e";
    }

    private static string? Exact(string column, string type, ExportFormat format) => (format, type) switch
    {
        (ExportFormat.Parquet, "HUGEINT" or "UHUGEINT") => $"CAST({column} AS DECIMAL(38,0))",
        // A FLOAT through its own text: to_json would write 1.1 as a double's 1.100000023841858.
        (ExportFormat.Json or ExportFormat.NdJson, "DOUBLE" or "FLOAT") =>
            $"CASE WHEN isnan({column}) THEN to_json('NaN') WHEN isinf({column}) THEN to_json(CASE WHEN {column} > 0 THEN 'Infinity' ELSE '-Infinity' END) " +
            (type == "FLOAT" ? $"ELSE CAST(CAST({column} AS VARCHAR) AS JSON) END" : $"ELSE to_json({column}) END"),
        _ => null,
    };

    /// <summary>The names and DuckDB types of the query's columns.</summary>
    public static async Task<IReadOnlyList<(string Name, string Type)>> ColumnsAsync(DbConnection connection, string query, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"DESCRIBE SELECT * FROM ({query}) AS e";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add((reader.GetString(0), reader.GetString(1)));
        }

        return columns;
    }

    /// <summary>A row's bytes, from the text form of the first 2,048 (names and all, so a little more than DuckDB holds).</summary>
    public static async Task<double> RowBytesAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT avg(strlen(CAST(r AS VARCHAR))) FROM (SELECT * FROM {table} LIMIT {MinRowGroupRows}) AS r";
        return await command.ExecuteScalarAsync(cancellationToken) is double bytes ? bytes : 0;
    }
}
