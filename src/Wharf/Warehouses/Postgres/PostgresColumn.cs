using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Wharf.DuckDb;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// A warehouse column on PostgreSQL: the type it is created with (faithful to the DuckDB type:
/// numeric keeps precision and scale, timestamptz stays timestamptz, JSON becomes jsonb) and how
/// a value goes from DuckDB's reader into binary COPY.
/// </summary>
internal sealed record PostgresColumn(string Name, string Type, Action<NpgsqlBinaryImporter, DuckDbDataReader, int> Write)
{
    // DuckDB counts from 1970-01-01, PostgreSQL from 2000-01-01; raw values keep BC dates and infinity.
    private const long EpochShiftDays = 10_957;

    public static PostgresColumn For(string name, DuckDbColumnType type)
    {
        if (type.Alias == "JSON")
        {
            return new(name, "jsonb", (w, r, i) => w.Write(r.GetString(i), NpgsqlDbType.Jsonb));
        }

        return type.Id switch
        {
            DuckDbType.Boolean => new(name, "boolean", (w, r, i) => w.Write(r.GetBoolean(i), NpgsqlDbType.Boolean)),
            DuckDbType.SmallInt => new(name, "smallint", (w, r, i) => w.Write(r.GetInt16(i), NpgsqlDbType.Smallint)),
            DuckDbType.TinyInt or DuckDbType.UTinyInt =>
                new(name, "smallint", (w, r, i) => w.Write(Convert.ToInt16(r.GetValue(i), CultureInfo.InvariantCulture), NpgsqlDbType.Smallint)),
            DuckDbType.Integer => new(name, "integer", (w, r, i) => w.Write(r.GetInt32(i), NpgsqlDbType.Integer)),
            DuckDbType.USmallInt => new(name, "integer", (w, r, i) => w.Write(Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture), NpgsqlDbType.Integer)),
            DuckDbType.BigInt => new(name, "bigint", (w, r, i) => w.Write(r.GetInt64(i), NpgsqlDbType.Bigint)),
            DuckDbType.UInteger => new(name, "bigint", (w, r, i) => w.Write(Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture), NpgsqlDbType.Bigint)),
            DuckDbType.UBigInt or DuckDbType.HugeInt or DuckDbType.UHugeInt =>
                new(name, "numeric(39,0)", (w, r, i) => w.Write(BigInteger.Parse(Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture), NpgsqlDbType.Numeric)),
            DuckDbType.Float => new(name, "real", (w, r, i) => w.Write(r.GetFloat(i), NpgsqlDbType.Real)),
            DuckDbType.Double => new(name, "double precision", (w, r, i) => w.Write(r.GetDouble(i), NpgsqlDbType.Double)),
            DuckDbType.Decimal => new(name, $"numeric({type.Width},{type.Scale})", (w, r, i) => w.Write(r.GetDecimal(i), NpgsqlDbType.Numeric)),
            DuckDbType.VarChar or DuckDbType.Enum => new(name, "text", (w, r, i) => w.Write(r.GetString(i), NpgsqlDbType.Text)),
            DuckDbType.Blob => new(name, "bytea", (w, r, i) => w.Write(r.GetFieldValue<byte[]>(i), NpgsqlDbType.Bytea)),
            DuckDbType.Date => new(name, "date", (w, r, i) => w.Write(ToPostgres(r.GetDuckDbDate(i)), NpgsqlDbType.Date)),
            DuckDbType.Time => new(name, "time", (w, r, i) => w.Write(r.GetFieldValue<TimeOnly>(i), NpgsqlDbType.Time)),
            DuckDbType.TimeTz => new(name, "timetz", (w, r, i) => w.Write(r.GetFieldValue<DateTimeOffset>(i), NpgsqlDbType.TimeTz)),
            DuckDbType.Timestamp or DuckDbType.TimestampS or DuckDbType.TimestampMs or DuckDbType.TimestampNs =>
                new(name, "timestamp", (w, r, i) => w.Write(ToPostgres(r.GetDuckDbTimestamp(i)), NpgsqlDbType.Timestamp)),
            DuckDbType.TimestampTz => new(name, "timestamptz", (w, r, i) => w.Write(ToPostgres(r.GetDuckDbTimestamp(i)), NpgsqlDbType.TimestampTz)),
            DuckDbType.Interval => new(name, "interval", (w, r, i) =>
            {
                var interval = r.GetFieldValue<DuckDbInterval>(i);
                w.Write(new NpgsqlInterval(interval.Months, interval.Days, interval.Microseconds), NpgsqlDbType.Interval);
            }),
            DuckDbType.Uuid => new(name, "uuid", (w, r, i) => w.Write(r.GetGuid(i), NpgsqlDbType.Uuid)),
            DuckDbType.List or DuckDbType.Array when ArrayOf(type.Element!) is { } array => new(name, array.Type, array.Write),

            // Nested values without a PostgreSQL array form (structs, maps, lists of those) go as jsonb.
            _ => new(name, "jsonb", (w, r, i) => w.Write(JsonSerializer.Serialize(r.GetValue(i)), NpgsqlDbType.Jsonb)),
        };
    }

    private static (string Type, Action<NpgsqlBinaryImporter, DuckDbDataReader, int> Write)? ArrayOf(DuckDbColumnType element) => element.Id switch
    {
        DuckDbType.Boolean => ("boolean[]", (w, r, i) => w.Write(Elements<bool>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Boolean)),
        DuckDbType.SmallInt => ("smallint[]", (w, r, i) => w.Write(Elements<short>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Smallint)),
        DuckDbType.Integer => ("integer[]", (w, r, i) => w.Write(Elements<int>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Integer)),
        DuckDbType.BigInt => ("bigint[]", (w, r, i) => w.Write(Elements<long>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Bigint)),
        DuckDbType.Float => ("real[]", (w, r, i) => w.Write(Elements<float>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Real)),
        DuckDbType.Double => ("double precision[]", (w, r, i) => w.Write(Elements<double>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Double)),
        DuckDbType.Decimal => ($"numeric({element.Width},{element.Scale})[]", (w, r, i) => w.Write(Elements<decimal>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Numeric)),
        DuckDbType.VarChar when element.Alias is null => ("text[]", (w, r, i) => w.Write(References<string>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Text)),
        DuckDbType.Uuid => ("uuid[]", (w, r, i) => w.Write(Elements<Guid>(r, i), NpgsqlDbType.Array | NpgsqlDbType.Uuid)),
        _ => null,
    };

    private static T?[] Elements<T>(DuckDbDataReader reader, int ordinal)
        where T : struct =>
        [.. reader.GetFieldValue<List<object?>>(ordinal).Select(v => v is null ? (T?)null : (T)v)];

    private static T?[] References<T>(DuckDbDataReader reader, int ordinal)
        where T : class =>
        [.. reader.GetFieldValue<List<object?>>(ordinal).Select(v => (T?)v)];

    private static int ToPostgres(DuckDbDate date) => date.Days switch
    {
        int.MaxValue => int.MaxValue,
        -int.MaxValue => int.MinValue,
        var days => checked((int)(days - EpochShiftDays)),
    };

    private static long ToPostgres(DuckDbTimestamp timestamp) => timestamp.Microseconds switch
    {
        long.MaxValue => long.MaxValue,
        -long.MaxValue => long.MinValue,
        var micros => checked(micros - (EpochShiftDays * 86_400_000_000L)),
    };
}
