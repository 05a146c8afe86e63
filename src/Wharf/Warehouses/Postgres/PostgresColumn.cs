using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Wharf.DuckDb;
using Wharf.Schema;
using Wharf.Postgres;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// A warehouse column on PostgreSQL: the type it is created with (faithful to the DuckDB type:
/// numeric keeps precision and scale, timestamptz stays timestamptz, JSON becomes jsonb), the
/// DuckDB SQL that reads the column in a form whose vector maps straight onto PostgreSQL's binary
/// format (small integers widened, odd timestamp units as microseconds, nested values as JSON),
/// and how one value of that vector goes into the binary COPY stream.
/// </summary>
internal sealed record PostgresColumn(string Name, string Type, string Read, PostgresColumn.ValueWriter Write)
{
    /// <summary>Writes the value at <paramref name="row"/> of <paramref name="vector"/> (never NULL) as one COPY field.</summary>
    public delegate void ValueWriter(BinaryCopyWriter writer, DuckDbVector vector, int row);

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
        return new CopySource(DuckDbChunkReader.Open(workArea, $"SELECT {string.Join(", ", columns.Select(c => c.Read))} FROM ({sql})"), columns);
    }

    /// <summary>The rows of <see cref="Query"/> and how each column is written.</summary>
    public sealed record CopySource(DuckDbChunkReader Reader, IReadOnlyList<PostgresColumn> Columns) : IDisposable
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
        if (tree.IsList && Element(tree.Element!.Text) is { } element)
        {
            return new(name, element.Type + "[]", c, (w, v, i) =>
            {
                var (offset, length) = v.ListEntry(i);
                w.Array(v.ListChild, offset, length, element.Oid, element.Write);
            });
        }

        if (Element(duckDbType) is { } scalar)
        {
            return new(name, scalar.Type, c, scalar.Write);
        }

        return duckDbType switch
        {
            "TINYINT" or "UTINYINT" => new(name, "smallint", $"CAST({c} AS SMALLINT)", (w, v, i) => w.Int2(v.Get<short>(i))),
            "USMALLINT" => new(name, "integer", $"CAST({c} AS INTEGER)", (w, v, i) => w.Int4(v.Get<int>(i))),
            "UINTEGER" => new(name, "bigint", $"CAST({c} AS BIGINT)", (w, v, i) => w.Int8(v.Get<long>(i))),
            "UBIGINT" or "HUGEINT" => new(name, "numeric(39,0)", $"CAST({c} AS HUGEINT)", (w, v, i) => w.Numeric(v.Get<Int128>(i), 0)),

            // DuckDB keeps a UHUGEINT as .NET keeps a UInt128 (low half first); 39 digits hold its largest.
            "UHUGEINT" => new(name, "numeric(39,0)", c, (w, v, i) => w.Numeric(v.Get<UInt128>(i), negative: false, 0)),
            "BIT" => new(name, "bit varying", $"CAST({c} AS VARCHAR)", (w, v, i) => w.VarBit(v.Bytes(i))),
            "JSON" => new(name, "jsonb", c, (w, v, i) => w.Jsonb(v.Bytes(i))),
            "BLOB" => new(name, "bytea", c, (w, v, i) => w.Bytes(v.Bytes(i))),
            "DATE" => new(name, "date", c, (w, v, i) => w.Int4(PostgresTime.ToPostgresDays(v.Get<int>(i)))),
            "TIME" => new(name, "time", c, (w, v, i) => w.Int8(v.Get<long>(i))),
            "TIME WITH TIME ZONE" => new(name, "timetz", c, (w, v, i) =>
            {
                var time = NativeMethods.DateTimeHelpers.DuckDBFromTimeTz(new DuckDBTimeTzStruct { Bits = v.Get<ulong>(i) });
                w.TimeTz(time.Time.Ticks / 10, time.Offset);
            }),

            // DuckDB keeps TIMESTAMP and TIMESTAMPTZ as microseconds from 1970 (±infinity as ±long.MaxValue); other units are converted first.
            "TIMESTAMP" => new(name, "timestamp", c, Timestamp),
            "TIMESTAMP_S" or "TIMESTAMP_MS" => new(name, "timestamp", PostgresTime.EpochMicros(c), Timestamp),

            // PostgreSQL keeps microseconds: a value with nanoseconds stops the load rather than lose them.
            "TIMESTAMP_NS" => new(name, "timestamp",
                $"CASE WHEN regexp_matches(CAST({c} AS VARCHAR), '\\.\\d{{6}}\\d*[1-9]') THEN error(concat('column {name.Replace("'", "''", StringComparison.Ordinal)} holds ', CAST({c} AS VARCHAR), " +
                "', with nanoseconds, which a PostgreSQL timestamp (microseconds) cannot hold exactly. Cast it to TIMESTAMP in a query: (which drops the nanoseconds), or load into the DuckDB warehouse.')) " +
                $"ELSE {PostgresTime.EpochMicros(c)} END", Timestamp),
            "TIMESTAMP WITH TIME ZONE" => new(name, "timestamptz", c, Timestamp),
            "INTERVAL" => new(name, "interval", c, (w, v, i) =>
            {
                var interval = v.Get<DuckDBInterval>(i);
                w.Interval(interval.Months, interval.Days, (long)interval.Micros);
            }),
            _ when duckDbType.StartsWith("ENUM(", StringComparison.Ordinal) => new(name, "text", $"CAST({c} AS VARCHAR)", (w, v, i) => w.Bytes(v.Bytes(i))),

            // Nested values without a PostgreSQL array form (structs, maps, lists of those) go as jsonb.
            _ => new(name, "jsonb", $"CAST(to_json({c}) AS VARCHAR)", (w, v, i) => w.Jsonb(v.Bytes(i))),
        };
    }

    /// <summary>A type read as it is, which can also be an array's element: PostgreSQL's type, its OID, and the writer of one value.</summary>
    private static (string Type, uint Oid, ValueWriter Write)? Element(string duckDbType)
    {
        if (LogicalType.FromDuckDb(duckDbType) is { Kind: LogicalKind.Decimal } numeric)
        {
            var (width, scale) = (numeric.Precision, numeric.Scale);

            // DuckDB stores a DECIMAL as its unscaled integer, in the smallest integer that holds its width.
            ValueWriter write = width switch
            {
                <= 4 => (w, v, i) => w.Numeric(v.Get<short>(i), scale),
                <= 9 => (w, v, i) => w.Numeric(v.Get<int>(i), scale),
                <= 18 => (w, v, i) => w.Numeric(v.Get<long>(i), scale),
                _ => (w, v, i) => w.Numeric(v.Get<Int128>(i), scale),
            };
            return ($"numeric({width},{scale})", 1700, write);
        }

        return duckDbType switch
        {
            "BOOLEAN" => ("boolean", 16, (w, v, i) => w.Boolean(v.Get<byte>(i) != 0)),
            "SMALLINT" => ("smallint", 21, (w, v, i) => w.Int2(v.Get<short>(i))),
            "INTEGER" => ("integer", 23, (w, v, i) => w.Int4(v.Get<int>(i))),
            "BIGINT" => ("bigint", 20, (w, v, i) => w.Int8(v.Get<long>(i))),
            "FLOAT" => ("real", 700, (w, v, i) => w.Float4(v.Get<float>(i))),
            "DOUBLE" => ("double precision", 701, (w, v, i) => w.Float8(v.Get<double>(i))),

            // PostgreSQL's binary text is its UTF-8 bytes, which is what DuckDB holds.
            "VARCHAR" => ("text", 25, (w, v, i) => w.Bytes(v.Bytes(i))),

            // DuckDB keeps a UUID as a 128-bit integer whose top bit is flipped (so that it sorts as the text does).
            "UUID" => ("uuid", 2950, (w, v, i) =>
            {
                var value = v.Get<Int128>(i);
                w.Uuid((ulong)(value >> 64) ^ (1UL << 63), (ulong)value);
            }),
            _ => null,
        };
    }

    private static void Timestamp(BinaryCopyWriter writer, DuckDbVector vector, int row) =>
        writer.Int8(PostgresTime.ToPostgresMicros(vector.Get<long>(row)));
}
