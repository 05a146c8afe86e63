using System.Globalization;
using System.Text.Json;
using Wharf.DuckDb;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// A warehouse column on PostgreSQL: the type it is created with (faithful to the DuckDB type:
/// numeric keeps precision and scale, timestamptz stays timestamptz, JSON becomes jsonb) and how
/// a value goes from DuckDB's reader into the binary COPY stream.
/// </summary>
internal sealed record PostgresColumn(string Name, string Type, Action<BinaryCopyWriter, DuckDbDataReader, int> Write)
{
    public static PostgresColumn For(string name, DuckDbColumnType type)
    {
        if (type.Alias == "JSON")
        {
            return new(name, "jsonb", (w, r, i) => w.Jsonb(r.GetString(i)));
        }

        return type.Id switch
        {
            DuckDbType.Boolean => new(name, "boolean", (w, r, i) => w.Boolean(r.GetBoolean(i))),
            DuckDbType.SmallInt => new(name, "smallint", (w, r, i) => w.Int2(r.GetInt16(i))),
            DuckDbType.TinyInt or DuckDbType.UTinyInt => new(name, "smallint", (w, r, i) => w.Int2(Convert.ToInt16(r.GetValue(i), CultureInfo.InvariantCulture))),
            DuckDbType.Integer => new(name, "integer", (w, r, i) => w.Int4(r.GetInt32(i))),
            DuckDbType.USmallInt => new(name, "integer", (w, r, i) => w.Int4(Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture))),
            DuckDbType.BigInt => new(name, "bigint", (w, r, i) => w.Int8(r.GetInt64(i))),
            DuckDbType.UInteger => new(name, "bigint", (w, r, i) => w.Int8(Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture))),
            DuckDbType.UBigInt or DuckDbType.HugeInt =>
                new(name, "numeric(39,0)", (w, r, i) => w.Numeric(Int128.Parse(Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture), 0)),
            DuckDbType.Float => new(name, "real", (w, r, i) => w.Float4(r.GetFloat(i))),
            DuckDbType.Double => new(name, "double precision", (w, r, i) => w.Float8(r.GetDouble(i))),
            DuckDbType.Decimal => new(name, $"numeric({type.Width},{type.Scale})", (w, r, i) => w.Numeric(r.GetUnscaledDecimal(i), type.Scale)),
            DuckDbType.VarChar or DuckDbType.Enum => new(name, "text", (w, r, i) => w.Text(r.GetString(i))),
            DuckDbType.Blob => new(name, "bytea", (w, r, i) => w.Bytes(r.GetFieldValue<byte[]>(i))),
            DuckDbType.Date => new(name, "date", (w, r, i) => w.Int4(PostgresTime.ToPostgres(r.GetDuckDbDate(i)))),
            DuckDbType.Time => new(name, "time", (w, r, i) => w.Int8(r.GetFieldValue<TimeOnly>(i).Ticks / 10)),
            DuckDbType.TimeTz => new(name, "timetz", (w, r, i) => w.TimeTz(r.GetFieldValue<DateTimeOffset>(i))),
            DuckDbType.Timestamp or DuckDbType.TimestampS or DuckDbType.TimestampMs or DuckDbType.TimestampNs =>
                new(name, "timestamp", (w, r, i) => w.Int8(PostgresTime.ToPostgres(r.GetDuckDbTimestamp(i)))),
            DuckDbType.TimestampTz => new(name, "timestamptz", (w, r, i) => w.Int8(PostgresTime.ToPostgres(r.GetDuckDbTimestamp(i)))),
            DuckDbType.Interval => new(name, "interval", (w, r, i) => w.Interval(r.GetFieldValue<DuckDbInterval>(i))),
            DuckDbType.Uuid => new(name, "uuid", (w, r, i) => w.Uuid(r.GetGuid(i))),
            DuckDbType.List or DuckDbType.Array when ArrayOf(type.Element!) is { } array =>
                new(name, array.Type, (w, r, i) => w.Array(r.GetFieldValue<List<object?>>(i), array.Oid, array.Element)),

            // Nested values without a PostgreSQL array form (structs, maps, lists of those) go as jsonb.
            _ => new(name, "jsonb", (w, r, i) => w.Jsonb(JsonSerializer.Serialize(r.GetValue(i)))),
        };
    }

    /// <summary>PostgreSQL's array type for a list element type: its name, the element's type OID, and how to write an element.</summary>
    private static (string Type, uint Oid, Action<BinaryCopyWriter, object> Element)? ArrayOf(DuckDbColumnType element) => element.Id switch
    {
        DuckDbType.Boolean => ("boolean[]", 16, (w, v) => w.Boolean((bool)v)),
        DuckDbType.SmallInt => ("smallint[]", 21, (w, v) => w.Int2((short)v)),
        DuckDbType.Integer => ("integer[]", 23, (w, v) => w.Int4((int)v)),
        DuckDbType.BigInt => ("bigint[]", 20, (w, v) => w.Int8((long)v)),
        DuckDbType.Float => ("real[]", 700, (w, v) => w.Float4((float)v)),
        DuckDbType.Double => ("double precision[]", 701, (w, v) => w.Float8((double)v)),
        DuckDbType.Decimal => ($"numeric({element.Width},{element.Scale})[]", 1700, (w, v) => w.Numeric(Unscaled((decimal)v, element.Scale), element.Scale)),
        DuckDbType.VarChar when element.Alias is null => ("text[]", 25, (w, v) => w.Text((string)v)),
        DuckDbType.Uuid => ("uuid[]", 2950, (w, v) => w.Uuid((Guid)v)),
        _ => null,
    };

    private static Int128 Unscaled(decimal value, int scale)
    {
        var scaled = value;
        for (var i = 0; i < scale; i++)
        {
            scaled *= 10;
        }

        return (Int128)decimal.Truncate(scaled);
    }
}
