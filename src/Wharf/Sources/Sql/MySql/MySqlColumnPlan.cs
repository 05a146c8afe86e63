using MySqlConnector;
using Wharf.Projects;

namespace Wharf.Sources.Sql.MySql;

/// <summary>
/// How one MySQL column travels: the expression in the SELECT, the DuckDB type it is staged as,
/// the expression that turns the stage into the lake column, and how a value is read off the
/// reader (null for a zero date read as NULL). The matrix is in docs/types.md; what cannot be
/// carried exactly is an error, at plan time (a type) or naming the row (a value).
/// </summary>
internal sealed record MySqlColumnPlan(
    string Name,
    string SelectExpression,
    string StageType,
    string LakeExpression,
    Func<MySqlDataReader, int, object?> Read)
{
    /// <summary>DuckDB's DECIMAL limit; wider decimals cannot be carried as numbers.</summary>
    private const int MaxPrecision = 38;

    /// <param name="table">The stream, for errors.</param>
    public static MySqlColumnPlan For(string table, CatalogColumn column, ConnectionSettings connection)
    {
        ArgumentNullException.ThrowIfNull(column);
        ArgumentNullException.ThrowIfNull(connection);
        var info = column.MySql ?? throw new InvalidOperationException("A MySQL column needs its type info.");
        var name = column.Name;
        if (info.Json)
        {
            return Native(name, "JSON", (r, i) => r.GetString(i));
        }

        return info.DataType switch
        {
            "tinyint" when info.ColumnType.StartsWith("tinyint(1)", StringComparison.Ordinal) && !info.Unsigned =>
                Native(name, "BOOLEAN", (r, i) => Boolean(r.GetSByte(i))),
            "tinyint" => info.Unsigned ? Native(name, "UTINYINT", (r, i) => r.GetByte(i)) : Native(name, "TINYINT", (r, i) => r.GetSByte(i)),
            "smallint" => info.Unsigned ? Native(name, "USMALLINT", (r, i) => r.GetUInt16(i)) : Native(name, "SMALLINT", (r, i) => r.GetInt16(i)),

            // MEDIUMINT UNSIGNED (0 to 16,777,215) fits INTEGER.
            "mediumint" => info.Unsigned ? Native(name, "INTEGER", (r, i) => (int)r.GetUInt32(i)) : Native(name, "INTEGER", (r, i) => r.GetInt32(i)),
            "int" or "integer" => info.Unsigned ? Native(name, "UINTEGER", (r, i) => r.GetUInt32(i)) : Native(name, "INTEGER", (r, i) => r.GetInt32(i)),
            "bigint" => info.Unsigned ? Native(name, "UBIGINT", (r, i) => r.GetUInt64(i)) : Native(name, "BIGINT", (r, i) => r.GetInt64(i)),
            "decimal" or "numeric" => Decimal(table, column, info),

            // The text protocol prints a FLOAT to 6 digits; as a DOUBLE (exact: every float is one) it prints in full.
            "float" => new MySqlColumnPlan(name, $"({Identifier(name)} + 0E0)", "FLOAT", Quote.Identifier(name), (r, i) => (float)r.GetDouble(i)),
            "double" or "real" => Native(name, "DOUBLE", (r, i) => r.GetDouble(i)),

            // BIT(1) is a flag; wider BITs are their bits as an unsigned number (at most 64 bits).
            "bit" => info.Precision == 1 ? Native(name, "BOOLEAN", (r, i) => r.GetUInt64(i) != 0) : Native(name, "UBIGINT", (r, i) => r.GetUInt64(i)),
            "date" => Native(name, "DATE", (r, i) => Date(r, i, connection.ZeroDates)),
            "datetime" => Native(name, "TIMESTAMP", (r, i) => Timestamp(r, i, connection.ZeroDates)),

            // The session's time zone is UTC (MySqlSourceConnection), so a TIMESTAMP arrives as UTC.
            "timestamp" => Native(name, "TIMESTAMPTZ", (r, i) => Timestamp(r, i, connection.ZeroDates) is DateTime t ? (object)new DateTimeOffset(t, TimeSpan.Zero) : null),

            // TIME spans -838:59:59 to 838:59:59: a duration, not a time of day. Staged as microseconds.
            "time" => Converted(name, "BIGINT", micros => $"to_microseconds({micros})", (r, i) => r.GetTimeSpan(i).Ticks / 10),
            "year" => Native(name, "SMALLINT", (r, i) => Year(r.GetInt32(i), connection.ZeroDates)),
            "char" or "varchar" or "tinytext" or "text" or "mediumtext" or "longtext" or "enum" or "set" =>
                Native(name, "VARCHAR", (r, i) => r.GetString(i)),
            "binary" or "varbinary" or "tinyblob" or "blob" or "mediumblob" or "longblob" =>
                Native(name, "BLOB", (r, i) => r.GetFieldValue<byte[]>(i)),
            "geometry" or "point" or "linestring" or "polygon" or "multipoint" or "multilinestring" or "multipolygon"
                or "geometrycollection" or "geomcollection" => Spatial(name, connection.Spatial),
            "json" => Native(name, "JSON", (r, i) => r.GetString(i)),

            // MariaDB's UUID and INET types, MySQL's VECTOR, anything newer: their text form.
            _ => new MySqlColumnPlan(name, $"CAST({Identifier(name)} AS CHAR)", "VARCHAR", Quote.Identifier(name), (r, i) => r.GetString(i)),
        };
    }

    /// <summary>A MySQL identifier: <c>my`table</c> becomes <c>`my``table`</c>.</summary>
    public static string Identifier(string name) => "`" + name.Replace("`", "``", StringComparison.Ordinal) + "`";

    private static MySqlColumnPlan Decimal(string table, CatalogColumn column, MySqlTypeInfo info)
    {
        if (info.Precision > MaxPrecision)
        {
            throw new UnsupportedColumnException(table, column.Name, column.DataType,
                $"{table}.{column.Name} is {column.DataType}, which DuckDB's DECIMAL (at most 38 digits) cannot hold exactly. " +
                $"Load it with a 'query:' that casts it, e.g. CAST({column.Name} AS DECIMAL(38,{Math.Min(info.Scale, MaxPrecision)})) (an error if a value does not fit) or CAST({column.Name} AS CHAR).");
        }

        var type = $"DECIMAL({info.Precision},{info.Scale})";
        var (precision, scale) = (info.Precision, info.Scale);
        return new MySqlColumnPlan(column.Name, Identifier(column.Name), "VARCHAR", ExactDecimal.LakeExpression(column.Name, type),
            (r, i) => ExactDecimal.Check(r.GetMySqlDecimal(i).ToString(), precision, scale));
    }

    private static MySqlColumnPlan Spatial(string name, SpatialFormat format) => format == SpatialFormat.Wkb
        ? new MySqlColumnPlan(name, $"ST_AsBinary({Identifier(name)})", "BLOB", Quote.Identifier(name), (r, i) => r.GetFieldValue<byte[]>(i))
        : new MySqlColumnPlan(name, $"ST_AsText({Identifier(name)})", "VARCHAR", Quote.Identifier(name), (r, i) => r.GetString(i));

    private static MySqlColumnPlan Native(string name, string type, Func<MySqlDataReader, int, object?> read) =>
        new(name, Identifier(name), type, Quote.Identifier(name), read);

    /// <summary>A column staged as another DuckDB type that <paramref name="toLake"/> turns into its own in SQL.</summary>
    private static MySqlColumnPlan Converted(string name, string stageType, Func<string, string> toLake, Func<MySqlDataReader, int, object?> read) =>
        new(name, Identifier(name), stageType, $"{toLake(Quote.Identifier(name))} AS {Quote.Identifier(name)}", read);

    /// <summary>TINYINT(1), MySQL's BOOL: 0 or 1 become a boolean; any other number is an error, never a guess.</summary>
    private static bool Boolean(sbyte value) => value switch
    {
        0 => false,
        1 => true,
        _ => throw new InvalidCastException(
            $"{value} is not a boolean: TINYINT(1) is read as BOOLEAN (0 or 1). Load the column as a number with a 'query:' (e.g. CAST(column AS SIGNED)), or fix the row."),
    };

    private static object? Date(MySqlDataReader reader, int ordinal, ZeroDates zeroDates)
    {
        var value = reader.GetMySqlDateTime(ordinal);
        return value.IsValidDateTime ? new DateOnly(value.Year, value.Month, value.Day) : Zero(value, zeroDates);
    }

    private static object? Timestamp(MySqlDataReader reader, int ordinal, ZeroDates zeroDates)
    {
        var value = reader.GetMySqlDateTime(ordinal);
        return value.IsValidDateTime ? value.GetDateTime() : Zero(value, zeroDates);
    }

    private static short? Year(int value, ZeroDates zeroDates)
    {
        if (value != 0)
        {
            return (short)value;
        }

        return zeroDates == ZeroDates.Null ? (short?)null
            : throw new InvalidCastException("the year is 0000 (MySQL's zero year). Set 'zero_dates: null' on the connection to load zero dates as NULL, or fix the row.");
    }

    private static object? Zero(MySqlDateTime value, ZeroDates zeroDates)
    {
        if (zeroDates == ZeroDates.Null)
        {
            return null;
        }

        throw new InvalidCastException(FormattableString.Invariant(
            $"{value.Year:0000}-{value.Month:00}-{value.Day:00} is a zero date (no such day). Set 'zero_dates: null' on the connection to load zero dates as NULL, or fix the row."));
    }
}
