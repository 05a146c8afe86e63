using System.Globalization;
using System.Text.RegularExpressions;

namespace Wharf.Schema;

internal enum LogicalKind
{
    Boolean,
    Int8,
    Int16,
    Int32,
    Int64,
    Decimal,
    Float32,
    Float64,
    Text,
    Binary,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Uuid,
    Json,

    /// <summary>Anything else (lists, structs, maps, unsigned and 128-bit integers…): compared by its exact DuckDB type.</summary>
    Other,
}

/// <summary>
/// Wharf's logical types: what a column holds, independent of the engine. Every engine type maps
/// to one (DuckDB's names are the work area's currency); <see cref="Union"/> says which type can
/// hold the values of two others, which is how a table's schema evolves.
/// </summary>
internal sealed partial record LogicalType(LogicalKind Kind, int Precision = 0, int Scale = 0, string? Raw = null)
{
    /// <summary>The names a user may write in <c>columns:</c> and <c>cast:</c>.</summary>
    public const string Names = "boolean, int8, int16, int32, int64, decimal(p,s), float32, float64, text, binary, date, time, timestamp, timestamptz, interval, uuid, json";

    [GeneratedRegex(@"^(?:decimal|numeric)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$", RegexOptions.IgnoreCase)]
    private static partial Regex DecimalPattern();

    public static LogicalType Text { get; } = new(LogicalKind.Text);

    /// <summary>A type as a user writes it (<c>decimal(12,2)</c>, <c>timestamptz</c>, <c>bigint</c>…); null when it is none.</summary>
    public static LogicalType? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = text.Trim().ToLowerInvariant();
        if (DecimalPattern().Match(name) is { Success: true } match)
        {
            var precision = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var scale = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            return precision is >= 1 and <= 38 && scale <= precision ? new LogicalType(LogicalKind.Decimal, precision, scale) : null;
        }

        return name switch
        {
            "boolean" or "bool" => new(LogicalKind.Boolean),
            "int8" or "tinyint" => new(LogicalKind.Int8),
            "int16" or "smallint" => new(LogicalKind.Int16),
            "int32" or "int" or "integer" => new(LogicalKind.Int32),
            "int64" or "bigint" => new(LogicalKind.Int64),
            "decimal" or "numeric" => new(LogicalKind.Decimal, 18, 3),
            "float32" or "float" or "real" => new(LogicalKind.Float32),
            "float64" or "double" or "double precision" => new(LogicalKind.Float64),
            "text" or "string" or "varchar" => Text,
            "binary" or "blob" or "bytea" => new(LogicalKind.Binary),
            "date" => new(LogicalKind.Date),
            "time" => new(LogicalKind.Time),
            "timestamp" or "datetime" => new(LogicalKind.Timestamp),
            "timestamptz" or "timestamp with time zone" => new(LogicalKind.TimestampTz),
            "interval" => new(LogicalKind.Interval),
            "uuid" => new(LogicalKind.Uuid),
            "json" or "jsonb" => new(LogicalKind.Json),
            _ => null,
        };
    }

    /// <summary>A DuckDB type name as DESCRIBE prints it.</summary>
    public static LogicalType FromDuckDb(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.StartsWith("DECIMAL(", StringComparison.Ordinal) && Parse(type) is { } decimalType)
        {
            return decimalType;
        }

        return type switch
        {
            "BOOLEAN" => new(LogicalKind.Boolean),
            "TINYINT" => new(LogicalKind.Int8),
            "SMALLINT" => new(LogicalKind.Int16),
            "INTEGER" => new(LogicalKind.Int32),
            "BIGINT" => new(LogicalKind.Int64),
            "FLOAT" => new(LogicalKind.Float32),
            "DOUBLE" => new(LogicalKind.Float64),
            "VARCHAR" => Text,
            "BLOB" => new(LogicalKind.Binary),
            "DATE" => new(LogicalKind.Date),
            "TIME" => new(LogicalKind.Time),
            "TIMESTAMP" => new(LogicalKind.Timestamp),
            "TIMESTAMP WITH TIME ZONE" => new(LogicalKind.TimestampTz),
            "INTERVAL" => new(LogicalKind.Interval),
            "UUID" => new(LogicalKind.Uuid),
            "JSON" => new(LogicalKind.Json),
            _ => new(LogicalKind.Other, Raw: type),
        };
    }

    /// <summary>A PostgreSQL column type as <c>format_type()</c> prints it, in DuckDB's terms.</summary>
    public static LogicalType FromPostgres(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.EndsWith("[]", StringComparison.Ordinal))
        {
            var element = FromPostgres(type[..^2]);
            return new(LogicalKind.Other, Raw: element.ToDuckDb() + "[]");
        }

        if (type.StartsWith("numeric(", StringComparison.Ordinal))
        {
            return Parse(type) ?? new(LogicalKind.Other, Raw: "HUGEINT");
        }

        return type switch
        {
            "boolean" => new(LogicalKind.Boolean),
            "smallint" => new(LogicalKind.Int16),
            "integer" => new(LogicalKind.Int32),
            "bigint" => new(LogicalKind.Int64),
            "real" => new(LogicalKind.Float32),
            "double precision" => new(LogicalKind.Float64),
            "text" or "name" => Text,
            "bytea" => new(LogicalKind.Binary),
            "date" => new(LogicalKind.Date),
            "time without time zone" => new(LogicalKind.Time),
            "time with time zone" => new(LogicalKind.Other, Raw: "TIME WITH TIME ZONE"),
            "timestamp without time zone" => new(LogicalKind.Timestamp),
            "timestamp with time zone" => new(LogicalKind.TimestampTz),
            "interval" => new(LogicalKind.Interval),
            "uuid" => new(LogicalKind.Uuid),
            "json" or "jsonb" => new(LogicalKind.Json),
            _ when type.StartsWith("character", StringComparison.Ordinal) => Text,
            _ => new(LogicalKind.Other, Raw: "VARCHAR"),
        };
    }

    /// <summary>The DuckDB type that holds it.</summary>
    public string ToDuckDb() => Kind switch
    {
        LogicalKind.Boolean => "BOOLEAN",
        LogicalKind.Int8 => "TINYINT",
        LogicalKind.Int16 => "SMALLINT",
        LogicalKind.Int32 => "INTEGER",
        LogicalKind.Int64 => "BIGINT",
        LogicalKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({Precision},{Scale})"),
        LogicalKind.Float32 => "FLOAT",
        LogicalKind.Float64 => "DOUBLE",
        LogicalKind.Text => "VARCHAR",
        LogicalKind.Binary => "BLOB",
        LogicalKind.Date => "DATE",
        LogicalKind.Time => "TIME",
        LogicalKind.Timestamp => "TIMESTAMP",
        LogicalKind.TimestampTz => "TIMESTAMP WITH TIME ZONE",
        LogicalKind.Interval => "INTERVAL",
        LogicalKind.Uuid => "UUID",
        LogicalKind.Json => "JSON",
        _ => Raw!,
    };

    /// <summary>As a user would write it, for messages.</summary>
    public override string ToString() => Kind switch
    {
        LogicalKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision},{Scale})"),
        LogicalKind.Other => Raw!.ToLowerInvariant(),
        _ => Kind.ToString().ToLowerInvariant(),
    };

    private static int IntegerDigits(LogicalKind kind) => kind switch
    {
        LogicalKind.Int8 => 3,
        LogicalKind.Int16 => 5,
        LogicalKind.Int32 => 10,
        LogicalKind.Int64 => 19,
        _ => 0,
    };

    private bool IsInteger => IntegerDigits(Kind) > 0;

    /// <summary>A struct, map, union or list.</summary>
    public bool IsNested => Kind == LogicalKind.Other && (Raw!.EndsWith(']') || Raw.StartsWith("STRUCT", StringComparison.Ordinal) || Raw.StartsWith("MAP", StringComparison.Ordinal) || Raw.StartsWith("UNION", StringComparison.Ordinal));

    /// <summary>
    /// The type that holds every value of both <paramref name="table"/> and <paramref name="incoming"/>
    /// exactly, or null when there is none short of text (e.g. text into a number, a 64-bit integer
    /// into a float). Equal to <paramref name="table"/> when the incoming values already fit.
    /// </summary>
    public static LogicalType? Union(LogicalType table, LogicalType incoming)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(incoming);
        if (table == incoming)
        {
            return table;
        }

        // Unsigned integers (PostgreSQL stores them in the next wider signed type) compare as that type.
        incoming = incoming.Raw switch
        {
            "UTINYINT" => new LogicalType(LogicalKind.Int16),
            "USMALLINT" => new LogicalType(LogicalKind.Int32),
            "UINTEGER" => new LogicalType(LogicalKind.Int64),
            _ => incoming,
        };
        if (table == incoming || HoldsAsIs(table, incoming))
        {
            return table;
        }

        return NumericUnion(table, incoming) ?? (table.Kind, incoming.Kind) switch
        {
            (LogicalKind.Timestamp, LogicalKind.Date) => table,
            (LogicalKind.Date, LogicalKind.Timestamp) => incoming,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="table"/> holds every value of a different type <paramref name="incoming"/> unchanged.</summary>
    private static bool HoldsAsIs(LogicalType table, LogicalType incoming) =>
        // Every scalar has an exact text form; structs, maps and lists have a JSON form (what PostgreSQL stores them as).
        (table.Kind == LogicalKind.Text && !incoming.IsNested)
        || (table.Kind == LogicalKind.Json && incoming.IsNested)
        || (table is { Kind: LogicalKind.Other, Raw: "HUGEINT" } && (incoming.IsInteger || incoming.Raw is "UTINYINT" or "USMALLINT" or "UINTEGER" or "UBIGINT"))
        || (table.Kind == LogicalKind.Timestamp && incoming.Raw is "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS");

    /// <summary>The union of two numeric types (integers, decimals, floats); null when there is none or either is not numeric.</summary>
    private static LogicalType? NumericUnion(LogicalType table, LogicalType incoming)
    {
        if (table.IsInteger && incoming.IsInteger)
        {
            return IntegerDigits(table.Kind) >= IntegerDigits(incoming.Kind) ? table : incoming;
        }

        if ((table.IsInteger || table.Kind == LogicalKind.Decimal) && (incoming.IsInteger || incoming.Kind == LogicalKind.Decimal))
        {
            var (whole1, scale1) = Digits(table);
            var (whole2, scale2) = Digits(incoming);
            var scale = Math.Max(scale1, scale2);
            var precision = Math.Max(whole1, whole2) + scale;
            var union = precision <= 38 ? new LogicalType(LogicalKind.Decimal, precision, scale) : null;
            return union is not null && table.Kind == LogicalKind.Decimal && union.Precision == table.Precision && union.Scale == table.Scale ? table : union;
        }

        if (table.Kind is LogicalKind.Float32 or LogicalKind.Float64 && incoming.Kind is LogicalKind.Float32 or LogicalKind.Float64)
        {
            return table.Kind == LogicalKind.Float64 ? table : incoming;
        }

        // A float64 column takes decimals of up to 15 digits: a double keeps 15 significant digits.
        if (table.Kind == LogicalKind.Float64 && incoming.Kind == LogicalKind.Decimal)
        {
            return incoming.Precision <= 15 ? table : null;
        }

        // Floats hold small integers exactly: float32 up to 16 bits, float64 up to 32.
        if (table.Kind is LogicalKind.Float32 or LogicalKind.Float64 && incoming.IsInteger)
        {
            return IntegerDigits(incoming.Kind) <= (table.Kind == LogicalKind.Float64 ? 10 : 5) ? table : null;
        }

        if (table.IsInteger && incoming.Kind is LogicalKind.Float32 or LogicalKind.Float64)
        {
            return IntegerDigits(table.Kind) <= 10 ? new LogicalType(LogicalKind.Float64) : null;
        }

        return null;
    }

    private static (int Whole, int Scale) Digits(LogicalType type) =>
        type.Kind == LogicalKind.Decimal ? (type.Precision - type.Scale, type.Scale) : (IntegerDigits(type.Kind), 0);
}
