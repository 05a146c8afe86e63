using Wharf.Schema;

namespace Wharf.Tests.Schema;

/// <summary>
/// Wharf's logical types: the names a user writes, what DuckDB and PostgreSQL call them, and
/// <see cref="LogicalType.Union"/>, the widening rule a table's schema evolves by.
/// </summary>
public sealed class LogicalTypeTests
{
    private static LogicalType T(string name) => LogicalType.Parse(name) ?? throw new ArgumentException($"not a type: {name}", nameof(name));

    [Theory]
    [InlineData("boolean", "BOOLEAN")]
    [InlineData("bool", "BOOLEAN")]
    [InlineData("int8", "TINYINT")]
    [InlineData("tinyint", "TINYINT")]
    [InlineData("int16", "SMALLINT")]
    [InlineData("smallint", "SMALLINT")]
    [InlineData("int32", "INTEGER")]
    [InlineData("int", "INTEGER")]
    [InlineData("integer", "INTEGER")]
    [InlineData("int64", "BIGINT")]
    [InlineData("bigint", "BIGINT")]
    [InlineData("decimal", "DECIMAL(18,3)")]
    [InlineData("numeric", "DECIMAL(18,3)")]
    [InlineData("decimal(12,2)", "DECIMAL(12,2)")]
    [InlineData("numeric( 12 , 2 )", "DECIMAL(12,2)")]
    [InlineData("DECIMAL(38,0)", "DECIMAL(38,0)")]
    [InlineData("decimal(1,1)", "DECIMAL(1,1)")]
    [InlineData("float32", "FLOAT")]
    [InlineData("real", "FLOAT")]
    [InlineData("float64", "DOUBLE")]
    [InlineData("double precision", "DOUBLE")]
    [InlineData("text", "VARCHAR")]
    [InlineData("string", "VARCHAR")]
    [InlineData("varchar", "VARCHAR")]
    [InlineData("binary", "BLOB")]
    [InlineData("bytea", "BLOB")]
    [InlineData("date", "DATE")]
    [InlineData("time", "TIME")]
    [InlineData("timestamp", "TIMESTAMP")]
    [InlineData("datetime", "TIMESTAMP")]
    [InlineData("timestamptz", "TIMESTAMP WITH TIME ZONE")]
    [InlineData("timestamp with time zone", "TIMESTAMP WITH TIME ZONE")]
    [InlineData("interval", "INTERVAL")]
    [InlineData("uuid", "UUID")]
    [InlineData("json", "JSON")]
    [InlineData("jsonb", "JSON")]
    [InlineData("  Int64 ", "BIGINT")]
    public void Parse_WhenNameIsKnown_GivesTheDuckDbTypeThatHoldsIt(string name, string duckDb)
    {
        T(name).ToDuckDb().ShouldBe(duckDb);
    }

    [Theory]
    [InlineData("")]
    [InlineData("money")]
    [InlineData("decimal(39,2)")]
    [InlineData("decimal(0,0)")]
    [InlineData("decimal(5,6)")]
    [InlineData("decimal(12)")]
    [InlineData("decimal(12,2")]
    [InlineData("int128")]
    [InlineData("varchar(20)")]
    public void Parse_WhenNameIsNoType_ReturnsNull(string name)
    {
        LogicalType.Parse(name).ShouldBeNull();
    }

    [Fact]
    public void Names_ListsEveryNameParseAccepts()
    {
        foreach (var name in LogicalType.Names.Replace("decimal(p,s)", "decimal(10,2)", StringComparison.Ordinal).Split(", "))
        {
            LogicalType.Parse(name).ShouldNotBeNull(name);
        }
    }

    [Theory]
    [InlineData("decimal(12,2)", "decimal(12,2)")]
    [InlineData("int64", "int64")]
    [InlineData("timestamptz", "timestamptz")]
    [InlineData("text", "text")]
    [InlineData("float64", "float64")]
    public void ToString_IsTheNameAUserWrites(string name, string shown)
    {
        T(name).ToString().ShouldBe(shown);
    }

    [Theory]
    [InlineData("BOOLEAN", LogicalKind.Boolean)]
    [InlineData("TINYINT", LogicalKind.Int8)]
    [InlineData("SMALLINT", LogicalKind.Int16)]
    [InlineData("INTEGER", LogicalKind.Int32)]
    [InlineData("BIGINT", LogicalKind.Int64)]
    [InlineData("FLOAT", LogicalKind.Float32)]
    [InlineData("DOUBLE", LogicalKind.Float64)]
    [InlineData("VARCHAR", LogicalKind.Text)]
    [InlineData("BLOB", LogicalKind.Binary)]
    [InlineData("DATE", LogicalKind.Date)]
    [InlineData("TIME", LogicalKind.Time)]
    [InlineData("TIMESTAMP", LogicalKind.Timestamp)]
    [InlineData("TIMESTAMP WITH TIME ZONE", LogicalKind.TimestampTz)]
    [InlineData("INTERVAL", LogicalKind.Interval)]
    [InlineData("UUID", LogicalKind.Uuid)]
    [InlineData("JSON", LogicalKind.Json)]
    [InlineData("HUGEINT", LogicalKind.Other)]
    [InlineData("UBIGINT", LogicalKind.Other)]
    [InlineData("TIMESTAMP_NS", LogicalKind.Other)]
    [InlineData("INTEGER[]", LogicalKind.Other)]
    public void FromDuckDb_MapsDescribesTypeNames(string type, object expected)
    {
        // object: LogicalKind is internal, and a public test method cannot take it.
        var kind = (LogicalKind)expected;
        var logical = LogicalType.FromDuckDb(type);

        logical.Kind.ShouldBe(kind);
        logical.ToDuckDb().ShouldBe(type, "the DuckDB type round-trips");
    }

    [Fact]
    public void FromDuckDb_KeepsPrecisionAndScaleOfDecimals()
    {
        LogicalType.FromDuckDb("DECIMAL(18,4)").ShouldBe(new LogicalType(LogicalKind.Decimal, 18, 4));
    }

    [Theory]
    [InlineData("INTEGER[]", true)]
    [InlineData("STRUCT(a INTEGER, b VARCHAR)", true)]
    [InlineData("MAP(VARCHAR, INTEGER)", true)]
    [InlineData("UNION(a INTEGER, b VARCHAR)", true)]
    [InlineData("HUGEINT", false)]
    [InlineData("VARCHAR", false)]
    public void IsNested_IsTrueForListsStructsMapsAndUnions(string type, bool nested)
    {
        LogicalType.FromDuckDb(type).IsNested.ShouldBe(nested);
    }

    [Theory]
    [InlineData("boolean", "BOOLEAN")]
    [InlineData("smallint", "SMALLINT")]
    [InlineData("integer", "INTEGER")]
    [InlineData("bigint", "BIGINT")]
    [InlineData("real", "FLOAT")]
    [InlineData("double precision", "DOUBLE")]
    [InlineData("numeric(12,2)", "DECIMAL(12,2)")]
    [InlineData("numeric(38,10)", "DECIMAL(38,10)")]
    [InlineData("numeric(39,0)", "HUGEINT")]
    [InlineData("text", "VARCHAR")]
    [InlineData("name", "VARCHAR")]
    [InlineData("character varying(20)", "VARCHAR")]
    [InlineData("character(3)", "VARCHAR")]
    [InlineData("bytea", "BLOB")]
    [InlineData("date", "DATE")]
    [InlineData("time without time zone", "TIME")]
    [InlineData("time with time zone", "TIME WITH TIME ZONE")]
    [InlineData("timestamp without time zone", "TIMESTAMP")]
    [InlineData("timestamp with time zone", "TIMESTAMP WITH TIME ZONE")]
    [InlineData("interval", "INTERVAL")]
    [InlineData("uuid", "UUID")]
    [InlineData("json", "JSON")]
    [InlineData("jsonb", "JSON")]
    [InlineData("integer[]", "INTEGER[]")]
    [InlineData("text[]", "VARCHAR[]")]
    public void FromPostgres_MapsFormatTypeNamesToDuckDbTerms(string type, string duckDb)
    {
        LogicalType.FromPostgres(type).ToDuckDb().ShouldBe(duckDb);
    }

    [Fact]
    public void FromPostgres_ArraysAreNested()
    {
        LogicalType.FromPostgres("bigint[]").IsNested.ShouldBeTrue();
    }

    /// <summary>The table's type, the incoming type, and the type that holds both exactly.</summary>
    [Theory]

    // Integers widen to the bigger one, either way round.
    [InlineData("int32", "int64", "int64")]
    [InlineData("int64", "int32", "int64")]
    [InlineData("int8", "int16", "int16")]
    [InlineData("int16", "int8", "int16")]

    // Integers and decimals: the whole digits of the wider, the scale of the finer.
    [InlineData("int32", "decimal(5,2)", "decimal(12,2)")]
    [InlineData("int64", "decimal(10,2)", "decimal(21,2)")]
    [InlineData("decimal(12,2)", "int32", "decimal(12,2)")]
    [InlineData("decimal(5,2)", "int32", "decimal(12,2)")]
    [InlineData("decimal(5,2)", "int16", "decimal(7,2)")]
    [InlineData("decimal(5,2)", "decimal(8,4)", "decimal(8,4)")]
    [InlineData("decimal(8,4)", "decimal(5,2)", "decimal(8,4)")]
    [InlineData("decimal(10,2)", "decimal(6,4)", "decimal(12,4)")]
    [InlineData("decimal(6,4)", "decimal(10,2)", "decimal(12,4)")]
    [InlineData("decimal(12,2)", "decimal(12,2)", "decimal(12,2)")]
    [InlineData("decimal(12,2)", "decimal(10,2)", "decimal(12,2)")]
    [InlineData("decimal(30,0)", "decimal(10,8)", "decimal(38,8)")]

    // Floats: float64 holds float32, and integers of up to 32 bits (float32: 16 bits).
    [InlineData("float32", "float64", "float64")]
    [InlineData("float64", "float32", "float64")]
    [InlineData("float64", "int32", "float64")]
    [InlineData("float64", "int16", "float64")]
    [InlineData("float32", "int16", "float32")]
    [InlineData("float32", "int8", "float32")]
    [InlineData("int32", "float32", "float64")]
    [InlineData("int32", "float64", "float64")]
    [InlineData("int16", "float64", "float64")]

    // A float64 column takes decimals of up to 15 digits (a CSV column typed double before exact decimals).
    [InlineData("float64", "decimal(12,2)", "float64")]
    [InlineData("float64", "decimal(15,0)", "float64")]

    // Dates fit in timestamps.
    [InlineData("date", "timestamp", "timestamp")]
    [InlineData("timestamp", "date", "timestamp")]

    // Text holds every scalar; JSON holds nested values.
    [InlineData("text", "int64", "text")]
    [InlineData("text", "decimal(12,2)", "text")]
    [InlineData("text", "timestamptz", "text")]
    [InlineData("text", "boolean", "text")]
    [InlineData("text", "date", "text")]
    [InlineData("text", "uuid", "text")]
    [InlineData("json", "json", "json")]
    public void Union_GivesTheTypeThatHoldsBoth(string table, string incoming, string expected)
    {
        LogicalType.Union(T(table), T(incoming)).ShouldBe(T(expected));
    }

    [Fact]
    public void Union_WhenIncomingFits_ReturnsTheTableTypeItself()
    {
        var table = T("decimal(12,2)");

        LogicalType.Union(table, T("int16")).ShouldBeSameAs(table);
        LogicalType.Union(table, T("decimal(4,1)")).ShouldBeSameAs(table);
    }

    [Theory]

    // A number cannot hold text, nor a boolean, nor a date.
    [InlineData("int64", "text")]
    [InlineData("decimal(12,2)", "text")]
    [InlineData("float64", "text")]
    [InlineData("timestamp", "text")]
    [InlineData("int32", "boolean")]
    [InlineData("boolean", "int32")]
    [InlineData("date", "int32")]
    [InlineData("uuid", "text")]

    // Floats cannot hold every 64-bit integer (nor float32 every 32-bit one), and decimals are exact where floats are not.
    [InlineData("float64", "int64")]
    [InlineData("float32", "int32")]
    [InlineData("int64", "float64")]
    [InlineData("int64", "float32")]
    [InlineData("decimal(12,2)", "float64")]
    [InlineData("float64", "decimal(16,2)")]

    // More than 38 digits.
    [InlineData("int64", "decimal(38,20)")]
    [InlineData("decimal(38,0)", "decimal(38,10)")]

    // Time zones are not mixed up.
    [InlineData("timestamp", "timestamptz")]
    [InlineData("timestamptz", "timestamp")]
    [InlineData("timestamptz", "date")]
    [InlineData("time", "timestamp")]
    [InlineData("interval", "time")]
    public void Union_WhenNoTypeShortOfTextHoldsBoth_ReturnsNull(string table, string incoming)
    {
        LogicalType.Union(T(table), T(incoming)).ShouldBeNull();
    }

    [Fact]
    public void Union_TextDoesNotTakeNestedValues_JsonDoes()
    {
        var list = LogicalType.FromDuckDb("INTEGER[]");
        var record = LogicalType.FromDuckDb("STRUCT(a INTEGER)");

        LogicalType.Union(LogicalType.Text, list).ShouldBeNull();
        LogicalType.Union(T("json"), list).ShouldBe(T("json"));
        LogicalType.Union(T("json"), record).ShouldBe(T("json"));
        LogicalType.Union(T("json"), T("int32")).ShouldBeNull();
    }

    [Theory]
    [InlineData("TINYINT")]
    [InlineData("INTEGER")]
    [InlineData("BIGINT")]
    [InlineData("UBIGINT")]
    [InlineData("UINTEGER")]
    public void Union_HugeIntHoldsEveryInteger(string incoming)
    {
        var hugeint = LogicalType.FromDuckDb("HUGEINT");

        LogicalType.Union(hugeint, LogicalType.FromDuckDb(incoming)).ShouldBe(hugeint);
    }

    [Theory]
    [InlineData("TIMESTAMP_S")]
    [InlineData("TIMESTAMP_MS")]
    [InlineData("TIMESTAMP_NS")]
    public void Union_TimestampHoldsOtherTimestampPrecisions(string incoming)
    {
        LogicalType.Union(T("timestamp"), LogicalType.FromDuckDb(incoming)).ShouldBe(T("timestamp"));
    }

    [Fact]
    public void Union_OtherTypesMatchOnlyThemselves()
    {
        LogicalType.Union(LogicalType.FromDuckDb("INTEGER[]"), LogicalType.FromDuckDb("INTEGER[]")).ShouldBe(LogicalType.FromDuckDb("INTEGER[]"));
        LogicalType.Union(LogicalType.FromDuckDb("INTEGER[]"), LogicalType.FromDuckDb("BIGINT[]")).ShouldBeNull();
    }

    [Fact]
    public void Union_OfATypeWithItself_IsItself_ForEveryKind()
    {
        foreach (var name in LogicalType.Names.Replace("decimal(p,s)", "decimal(10,2)", StringComparison.Ordinal).Split(", "))
        {
            LogicalType.Union(T(name), T(name)).ShouldBe(T(name), name);
        }
    }
}
