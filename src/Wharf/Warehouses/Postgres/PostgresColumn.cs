using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Wharf.DuckDb;
using Wharf.Schema;
using Wharf.Postgres;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// A warehouse column on PostgreSQL: the type it is created with (faithful to the DuckDB type:
/// numeric keeps precision and scale, timestamptz stays timestamptz, JSON becomes jsonb), the
/// DuckDB SQL that reads the column in a form DuckDB.NET hands over exactly and without a
/// per-value conversion (dates and timestamps as numbers, so that BC dates and ±infinity survive;
/// nested values as JSON), and how that value goes into the binary COPY stream.
/// </summary>
internal sealed record PostgresColumn(string Name, string Type, string Read, Action<BinaryCopyWriter, DuckDBDataReader, int> Write)
{
    /// <summary>
    /// Runs <paramref name="sql"/> in the DuckDB work area for a binary COPY: its columns are
    /// described first, then read as <see cref="For"/> says. <paramref name="names"/> renames them.
    /// </summary>
    public static CopySource Query(DuckDBConnection workArea, string sql, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        var described = new List<(string Name, string Type)>();
        using (var reader = workArea.Query($"DESCRIBE {sql}"))
        {
            while (reader.Read())
            {
                described.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var columns = described.Select((c, i) => For(names?[i] ?? c.Name, c.Type, Quote.Identifier(c.Name))).ToList();
        return new CopySource(workArea.Query($"SELECT {string.Join(", ", columns.Select(c => c.Read))} FROM ({sql})"), columns);
    }

    /// <summary>The rows of <see cref="Query"/> and how each column is written.</summary>
    public sealed record CopySource(DuckDBDataReader Reader, IReadOnlyList<PostgresColumn> Columns) : IDisposable
    {
        public void Dispose() => Reader.Dispose();
    }

    /// <param name="name">The PostgreSQL column's name.</param>
    /// <param name="duckDbType">The DuckDB type as DESCRIBE prints it, e.g. <c>DECIMAL(18,3)</c>.</param>
    /// <param name="source">The DuckDB expression of the value (default: the quoted name).</param>
    public static PostgresColumn For(string name, string duckDbType, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(duckDbType);
        var c = source ?? Quote.Identifier(name);
        var tree = DuckDbTypeTree.Parse(duckDbType);
        if (tree.IsList && ArrayOf(tree.Element!.Text) is { } array)
        {
            return new(name, array.Type, c, array.Write);
        }

        if (Decimal(duckDbType) is { } numeric)
        {
            // Up to 18 digits DuckDB.NET reads a DECIMAL from a long into .NET's decimal exactly; wider ones come as the unscaled 128-bit integer.
            return numeric.Width <= 18
                ? new(name, $"numeric({numeric.Width},{numeric.Scale})", c, (w, r, i) => w.Numeric(Unscaled(r.GetDecimal(i)), numeric.Scale))
                : new(name, $"numeric({numeric.Width},{numeric.Scale})", c, (w, r, i) => w.Numeric(r.GetFieldValue<DuckDBDecimal>(i).Value.ToInt128(), numeric.Scale));
        }

        return duckDbType switch
        {
            "BOOLEAN" => new(name, "boolean", c, (w, r, i) => w.Boolean(r.GetBoolean(i))),
            "TINYINT" or "UTINYINT" or "SMALLINT" => new(name, "smallint", $"CAST({c} AS SMALLINT)", (w, r, i) => w.Int2(r.GetInt16(i))),
            "USMALLINT" or "INTEGER" => new(name, "integer", $"CAST({c} AS INTEGER)", (w, r, i) => w.Int4(r.GetInt32(i))),
            "UINTEGER" or "BIGINT" => new(name, "bigint", $"CAST({c} AS BIGINT)", (w, r, i) => w.Int8(r.GetInt64(i))),
            "UBIGINT" or "HUGEINT" => new(name, "numeric(39,0)", $"CAST({c} AS VARCHAR)",
                (w, r, i) => w.Numeric(Int128.Parse(r.GetString(i), System.Globalization.CultureInfo.InvariantCulture), 0)),
            "FLOAT" => new(name, "real", c, (w, r, i) => w.Float4(r.GetFloat(i))),
            "DOUBLE" => new(name, "double precision", c, (w, r, i) => w.Float8(r.GetDouble(i))),
            "VARCHAR" => new(name, "text", c, (w, r, i) => w.Text(r.GetString(i))),
            "JSON" => new(name, "jsonb", c, (w, r, i) => w.Jsonb(r.GetString(i))),
            "BLOB" => new(name, "bytea", c, (w, r, i) => w.Bytes(Bytes(r, i))),
            "DATE" => new(name, "date", PostgresTime.EpochDays(c), (w, r, i) => w.Int4(PostgresTime.ToPostgresDays(r.GetInt32(i)))),
            "TIME" => new(name, "time", c, (w, r, i) => w.Int8(r.GetFieldValue<TimeOnly>(i).Ticks / 10)),
            "TIME WITH TIME ZONE" => new(name, "timetz", c, (w, r, i) => w.TimeTz(r.GetFieldValue<DateTimeOffset>(i))),
            "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" =>
                new(name, "timestamp", PostgresTime.EpochMicros(c), (w, r, i) => w.Int8(PostgresTime.ToPostgresMicros(r.GetInt64(i)))),
            "TIMESTAMP WITH TIME ZONE" => new(name, "timestamptz", PostgresTime.EpochMicros(c), (w, r, i) => w.Int8(PostgresTime.ToPostgresMicros(r.GetInt64(i)))),
            "INTERVAL" => new(name, "interval", c, (w, r, i) =>
            {
                var interval = r.GetFieldValue<DuckDBInterval>(i);
                w.Interval(interval.Months, interval.Days, (long)interval.Micros);
            }),
            "UUID" => new(name, "uuid", c, (w, r, i) => w.Uuid(r.GetGuid(i))),
            _ when duckDbType.StartsWith("ENUM(", StringComparison.Ordinal) => new(name, "text", $"CAST({c} AS VARCHAR)", (w, r, i) => w.Text(r.GetString(i))),

            // Nested values without a PostgreSQL array form (structs, maps, lists of those) go as jsonb.
            _ => new(name, "jsonb", $"CAST(to_json({c}) AS VARCHAR)", (w, r, i) => w.Jsonb(r.GetString(i))),
        };
    }

    /// <summary>PostgreSQL's array type for a list of <paramref name="element"/>, and how the list is written.</summary>
    private static (string Type, Action<BinaryCopyWriter, DuckDBDataReader, int> Write)? ArrayOf(string element)
    {
        if (Decimal(element) is { } numeric)
        {
            return ($"numeric({numeric.Width},{numeric.Scale})[]", (w, r, i) => w.Array(r.GetFieldValue<List<decimal?>>(i), 1700, (e, v) => e.Numeric(Unscaled(v!.Value), numeric.Scale)));
        }

        return element switch
        {
            "BOOLEAN" => ("boolean[]", (w, r, i) => w.Array(r.GetFieldValue<List<bool?>>(i), 16, (e, v) => e.Boolean(v!.Value))),
            "SMALLINT" => ("smallint[]", (w, r, i) => w.Array(r.GetFieldValue<List<short?>>(i), 21, (e, v) => e.Int2(v!.Value))),
            "INTEGER" => ("integer[]", (w, r, i) => w.Array(r.GetFieldValue<List<int?>>(i), 23, (e, v) => e.Int4(v!.Value))),
            "BIGINT" => ("bigint[]", (w, r, i) => w.Array(r.GetFieldValue<List<long?>>(i), 20, (e, v) => e.Int8(v!.Value))),
            "FLOAT" => ("real[]", (w, r, i) => w.Array(r.GetFieldValue<List<float?>>(i), 700, (e, v) => e.Float4(v!.Value))),
            "DOUBLE" => ("double precision[]", (w, r, i) => w.Array(r.GetFieldValue<List<double?>>(i), 701, (e, v) => e.Float8(v!.Value))),
            "VARCHAR" => ("text[]", (w, r, i) => w.Array(r.GetFieldValue<List<string?>>(i), 25, (e, v) => e.Text(v!))),
            "UUID" => ("uuid[]", (w, r, i) => w.Array(r.GetFieldValue<List<Guid?>>(i), 2950, (e, v) => e.Uuid(v!.Value))),
            _ => null,
        };
    }

    private static (int Width, int Scale)? Decimal(string type) =>
        LogicalType.FromDuckDb(type) is { Kind: LogicalKind.Decimal } d ? (d.Precision, d.Scale) : null;

    /// <summary>A decimal's unscaled integer at its own scale (DuckDB.NET gives a column's values the column's scale).</summary>
    private static Int128 Unscaled(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((Int128)(uint)bits[2] << 64) | ((Int128)(uint)bits[1] << 32) | (uint)bits[0];
        return value < 0 ? -magnitude : magnitude;
    }

    private static byte[] Bytes(DuckDBDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
