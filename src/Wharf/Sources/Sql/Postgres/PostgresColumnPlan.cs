using Wharf.Postgres;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>
/// How one PostgreSQL column travels: the expression in the binary COPY, the DuckDB type it is
/// staged as, the expression that turns the stage into the lake column, and the binary form its
/// values come in (<see cref="PostgresWire"/>).
/// The matrix is documented in docs/types.md; what cannot be carried exactly is an error.
/// </summary>
internal sealed record PostgresColumnPlan(
    string Name,
    string CopyExpression,
    string StageType,
    string LakeExpression,
    PostgresWire Wire)
{
    /// <summary>For a numeric sent as its text: the DECIMAL it must fit, checked value by value.</summary>
    public (int Precision, int Scale)? Decimal { get; init; }

    /// <summary>DuckDB's DECIMAL limit; wider numerics cannot be carried as numbers.</summary>
    private const int MaxPrecision = 38;

    /// <summary>Unconstrained numeric has no declared scale: DECIMAL(38,10), and a value with more decimals is an error.</summary>
    internal const string UnconstrainedNumeric = "DECIMAL(38,10)";

    public static PostgresColumnPlan For(string table, CatalogColumn column)
    {
        var info = column.Postgres ?? throw new InvalidOperationException("A PostgreSQL column needs its type info.");
        var quoted = Quote.Identifier(column.Name);
        if (info.ElementTypeName is { } element)
        {
            return ForArray(table, column, info, element, quoted);
        }

        if (info.Kind == 'e')
        {
            return Text(column.Name, $"{quoted}::text", "VARCHAR");
        }

        return info.TypeName switch
        {
            "bool" => Native(column.Name, "BOOLEAN", PostgresWire.Boolean),
            "int2" => Native(column.Name, "SMALLINT", PostgresWire.Int16),
            "int4" => Native(column.Name, "INTEGER", PostgresWire.Int32),
            "int8" => Native(column.Name, "BIGINT", PostgresWire.Int64),
            "oid" => Native(column.Name, "UINTEGER", PostgresWire.UInt32),
            "float4" => Native(column.Name, "FLOAT", PostgresWire.Float32),
            "float8" => Native(column.Name, "DOUBLE", PostgresWire.Float64),
            "numeric" => DecimalText(column.Name, $"{quoted}::text", DecimalType(table, column, info.TypeModifier)),
            "money" => DecimalText(column.Name, $"{quoted}::numeric::text", "DECIMAL(19,2)"),
            "text" or "varchar" or "bpchar" or "name" => Native(column.Name, "VARCHAR", PostgresWire.Text),
            "bytea" => Native(column.Name, "BLOB", PostgresWire.Bytes),
            "date" => Converted(column.Name, "INTEGER", PostgresTime.DateFromEpochDays, PostgresWire.Date),
            "time" => Native(column.Name, "TIME", PostgresWire.Time),
            "timetz" => Native(column.Name, "TIMETZ", PostgresWire.TimeTz),
            "timestamp" => Converted(column.Name, "BIGINT", m => PostgresTime.TimestampFromEpochMicros(m, withTimeZone: false), PostgresWire.Timestamp),
            "timestamptz" => Converted(column.Name, "BIGINT", m => PostgresTime.TimestampFromEpochMicros(m, withTimeZone: true), PostgresWire.Timestamp),
            "interval" => Converted(column.Name, "VARCHAR", text => $"CAST({text} AS INTERVAL)", PostgresWire.Interval),
            "uuid" => Native(column.Name, "UUID", PostgresWire.Uuid),
            "json" or "jsonb" => Text(column.Name, $"{quoted}::text", "JSON"),

            // inet's cast to text always adds the mask; psql shows a host address without /32.
            "inet" => Text(column.Name, $"CASE WHEN masklen({quoted}) = CASE family({quoted}) WHEN 4 THEN 32 ELSE 128 END THEN host({quoted}) ELSE {quoted}::text END", "VARCHAR"),

            // inet, cidr, macaddr, xml, bit, tsvector, ranges, geometric and extension types:
            // carried as their PostgreSQL text form (documented in docs/types.md).
            _ => Text(column.Name, $"{quoted}::text", "VARCHAR"),
        };
    }

    /// <summary>Arrays travel as JSON text and become DuckDB lists; elements keep their type.</summary>
    private static PostgresColumnPlan ForArray(string table, CatalogColumn column, PostgresTypeInfo info, string element, string quoted)
    {
        var (elementType, elementCast) = element switch
        {
            "bool" => ("BOOLEAN", "bool"),
            "int2" => ("SMALLINT", "int2"),
            "int4" => ("INTEGER", "int4"),
            "int8" => ("BIGINT", "int8"),
            "float4" => ("FLOAT", "float4"),
            "float8" => ("DOUBLE", "float8"),
            "numeric" => (DecimalType(table, column, info.TypeModifier), "text"),
            "date" => ("DATE", "date"),
            "timestamp" => ("TIMESTAMP", "timestamp"),
            "timestamptz" => ("TIMESTAMPTZ", "timestamptz"),
            "uuid" => ("UUID", "uuid"),
            "json" or "jsonb" => ("JSON", element), // elements stay JSON values, not strings of their text
            _ => ("VARCHAR", "text"),
        };
        // A PostgreSQL array column may hold arrays of any number of dimensions, and a list type
        // has one: a value of more fails naming the column, rather than as a cast of "[3,4]".
        var list = $"CAST(CAST({quoted} AS JSON) AS {elementType}[])";
        var message = Quote.Literal($"{table}.{column.Name} holds an array of more than one dimension, and Wharf loads arrays as lists of one: " +
            $"select it as JSON in a 'query:' (to_json({column.Name}) AS {column.Name}). The value: ");
        var lake = elementType == "JSON" ? list
            : $"CASE WHEN json_type(CAST({quoted} AS JSON), '$[0]') = 'ARRAY' THEN error({message} || {quoted}) ELSE {list} END";
        return new PostgresColumnPlan(
            column.Name,
            $"to_json({quoted}::{elementCast}[])::text",
            "VARCHAR",
            $"{lake} AS {quoted}",
            PostgresWire.Text);
    }

    private static string DecimalType(string table, CatalogColumn column, int modifier)
    {
        if (modifier < 0)
        {
            return UnconstrainedNumeric;
        }

        var precision = ((modifier - 4) >> 16) & 0xFFFF;
        var scale = (short)((modifier - 4) & 0xFFFF);
        if (precision > MaxPrecision || scale < 0 || scale > precision)
        {
            throw new UnsupportedColumnException(table, column.Name, column.DataType,
                $"{table}.{column.Name} is {column.DataType}, which DuckDB's DECIMAL (at most 38 digits, scale 0 to precision) cannot hold exactly. " +
                $"Load it with a 'query:' that casts it, e.g. {column.Name}::text.");
        }

        return $"DECIMAL({precision},{scale})";
    }

    private static PostgresColumnPlan Native(string name, string type, PostgresWire wire) =>
        new(name, Quote.Identifier(name), type, Quote.Identifier(name), wire);

    /// <summary>A column staged as another DuckDB type (a number or text) that <paramref name="toLake"/> turns into its own in SQL.</summary>
    private static PostgresColumnPlan Converted(string name, string stageType, Func<string, string> toLake, PostgresWire wire) =>
        new(name, Quote.Identifier(name), stageType, $"{toLake(Quote.Identifier(name))} AS {Quote.Identifier(name)}", wire);

    /// <summary>A numeric as its exact text, checked against the DECIMAL it becomes in the lake (see <see cref="ExactDecimal"/>).</summary>
    private static PostgresColumnPlan DecimalText(string name, string copyExpression, string type) =>
        new(name, copyExpression, "VARCHAR", ExactDecimal.LakeExpression(name, type), PostgresWire.Text) { Decimal = ExactDecimal.Of(type)!.Value };

    private static PostgresColumnPlan Text(string name, string copyExpression, string type) =>
        new(name, copyExpression, type, Quote.Identifier(name), PostgresWire.Text);
}
