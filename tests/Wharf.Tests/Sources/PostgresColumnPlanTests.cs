using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Sources.Sql;
using Wharf.Postgres;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Tests.Sources;

/// <summary>
/// <see cref="PostgresColumnPlan"/> without a server: a value's bytes as the binary COPY sends them
/// are decoded into a staging table of the plan's <see cref="PostgresColumnPlan.StageType"/>
/// (<see cref="PostgresWireCells"/>, as the extract does), and the plan's
/// <see cref="PostgresColumnPlan.LakeExpression"/> makes the lake column of it.
/// </summary>
public sealed class PostgresColumnPlanTests : IDisposable
{
    /// <summary>numeric(38,10)'s type modifier, as pg_attribute.atttypmod holds it.</summary>
    private const int Numeric38x10 = ((38 << 16) | 10) + 4;

    private const int Numeric12x2 = ((12 << 16) | 2) + 4;

    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public PostgresColumnPlanTests() => connection.Execute("SET TimeZone = 'UTC'");

    public void Dispose() => connection.Dispose();

    /// <summary>The lake column's type and DuckDB's text of its value, for a column of PostgreSQL type <paramref name="typeName"/> sent as <paramref name="wire"/>.</summary>
    private string Staged(string typeName, int typeModifier, byte[] wire)
    {
        var plan = PostgresColumnPlan.For("public.t", new CatalogColumn("v", typeName, Nullable: true)
        {
            Postgres = new PostgresTypeInfo(typeName, typeModifier, 'b', null, '\0'),
        });
        connection.Execute($"CREATE OR REPLACE TABLE stage (v {plan.StageType})");
        using (var appender = DuckDbRowAppender.Open(connection, "stage"))
        {
            PostgresWireCells.Set(appender, 0, plan, wire);
            appender.EndRow();
            appender.Complete();
        }

        return (string)connection.Scalar($"SELECT typeof(v) || ' ' || CAST(v AS VARCHAR) FROM (SELECT {plan.LakeExpression} FROM stage)")!;
    }

    private static byte[] Text(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    private static byte[] BigEndian(params long[] parts) => [.. parts.SelectMany(p => BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(p)))];

    private static byte[] BigEndian(int value) => BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value));

    // numeric and money travel as their text (the COPY casts them to text): .NET's decimal holds only 28 digits.
    [Theory]
    [InlineData("numeric", Numeric38x10, "9999999999999999999999999999.9999999999", "DECIMAL(38,10) 9999999999999999999999999999.9999999999")]
    [InlineData("numeric", Numeric38x10, "-0.0000000001", "DECIMAL(38,10) -0.0000000001")]
    [InlineData("numeric", Numeric12x2, "-0.01", "DECIMAL(12,2) -0.01")]
    [InlineData("numeric", -1, "1234567890123456789.0123456789", "DECIMAL(38,10) 1234567890123456789.0123456789")]
    [InlineData("money", -1, "-92233720368547758.08", "DECIMAL(19,2) -92233720368547758.08")]
    public void Numeric_FromItsText_ReachesTheLakeExactly(string typeName, int typeModifier, string copied, string expected) =>
        Staged(typeName, typeModifier, Text(copied)).ShouldBe(expected);

    [Theory]
    [InlineData(0, "DATE 2000-01-01")]
    [InlineData(-1, "DATE 1999-12-31")]
    [InlineData(-2_451_545, "DATE 4714-11-24 (BC)")]
    [InlineData(int.MaxValue, "DATE infinity")]
    [InlineData(int.MinValue, "DATE -infinity")]
    public void Date_FromPostgresDays_ReachesTheLakeExactly(int postgresDays, string expected) =>
        Staged("date", -1, BigEndian(postgresDays)).ShouldBe(expected);

    [Theory]
    [InlineData("timestamp", 1L, "TIMESTAMP 2000-01-01 00:00:00.000001")]
    [InlineData("timestamp", -63_082_281_600_000_000L, "TIMESTAMP 0001-01-01 00:00:00")]
    [InlineData("timestamp", -63_082_368_000_000_000L, "TIMESTAMP 0001-12-31 (BC) 00:00:00")]
    [InlineData("timestamp", long.MaxValue, "TIMESTAMP infinity")]
    [InlineData("timestamp", long.MinValue, "TIMESTAMP -infinity")]
    [InlineData("timestamptz", -1L, "TIMESTAMP WITH TIME ZONE 1999-12-31 23:59:59.999999+00")]
    [InlineData("timestamptz", long.MaxValue, "TIMESTAMP WITH TIME ZONE infinity")]
    public void Timestamp_FromPostgresMicros_ReachesTheLakeExactly(string typeName, long postgresMicros, string expected) =>
        Staged(typeName, -1, BigEndian(postgresMicros)).ShouldBe(expected);

    [Theory]
    [InlineData("numeric", Numeric12x2, "1.234", "more than 2 decimal places")]
    [InlineData("numeric", Numeric12x2, "12345678901", "does not fit in DECIMAL(12,2)")]
    [InlineData("numeric", Numeric12x2, "NaN", "NaN and infinity have no DECIMAL form")]
    public void Numeric_ThatTheDecimalCannotHold_IsRefused(string typeName, int typeModifier, string copied, string expected) =>
        Should.Throw<Exception>(() => Staged(typeName, typeModifier, Text(copied))).Message.ShouldContain(expected);

    public static TheoryData<string, byte[], string> FixedWidthValues() => new()
    {
        { "bool", [1], "BOOLEAN true" },
        { "int2", [0xFF, 0xFE], "SMALLINT -2" },
        { "int4", BigEndian(-70_000), "INTEGER -70000" },
        { "int8", BigEndian(long.MinValue), "BIGINT -9223372036854775808" },
        { "oid", [0xFF, 0xFF, 0xFF, 0xFF], "UINTEGER 4294967295" },
        { "float4", [0x3F, 0xC0, 0, 0], "FLOAT 1.5" },
        { "float8", BigEndian(BitConverter.DoubleToInt64Bits(-0.1)), "DOUBLE -0.1" },
        { "time", BigEndian(86_400_000_000L), "TIME 24:00:00" },
        // 10:30:00.5 at UTC+01:00: PostgreSQL's zone counts seconds west of UTC.
        { "timetz", [.. BigEndian(37_800_500_000L), .. BigEndian(-3600)], "TIME WITH TIME ZONE 10:30:00.5+01" },
        // Microseconds, then days, then months.
        { "interval", BigEndian(3L, (2L << 32) | 14), "INTERVAL 1 year 2 months 2 days 00:00:00.000003" },
        { "uuid", Convert.FromHexString("123e4567e89b12d3a456426614174000"), "UUID 123e4567-e89b-12d3-a456-426614174000" },
        { "bytea", [0, 0xFF], "BLOB \\x00\\xFF" },
        { "text", Text("Zoë ✓"), "VARCHAR Zoë ✓" },
    };

    [Theory]
    [MemberData(nameof(FixedWidthValues))]
    public void Value_FromItsBinaryForm_ReachesTheLakeExactly(string typeName, byte[] wire, string expected) =>
        Staged(typeName, -1, wire).ShouldBe(expected);

    [Fact]
    public void Value_OfTheWrongWidth_IsRefused() =>
        Should.Throw<InvalidCastException>(() => Staged("int8", -1, BigEndian(5))).Message.ShouldContain("8 bytes, but the server sent 4");
}
