using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Sources.Sql;
using Wharf.Postgres;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Tests.Sources;

/// <summary>
/// <see cref="PostgresColumnPlan"/> without a server: a value as the binary COPY hands it over is
/// appended to a staging table of the plan's <see cref="PostgresColumnPlan.StageType"/>, as
/// <c>StagingTable</c> does, and the plan's <see cref="PostgresColumnPlan.LakeExpression"/> makes the lake column of it.
/// </summary>
public sealed class PostgresColumnPlanTests : IDisposable
{
    /// <summary>numeric(38,10)'s type modifier, as pg_attribute.atttypmod holds it.</summary>
    private const int Numeric38x10 = ((38 << 16) | 10) + 4;

    private const int Numeric12x2 = ((12 << 16) | 2) + 4;

    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public PostgresColumnPlanTests() => connection.Execute("SET TimeZone = 'UTC'");

    public void Dispose() => connection.Dispose();

    /// <summary>The lake column's type and DuckDB's text of its value, for a column of PostgreSQL type <paramref name="typeName"/>.</summary>
    private string Staged(string typeName, int typeModifier, object? value)
    {
        var plan = PostgresColumnPlan.For("public.t", new CatalogColumn("v", typeName, Nullable: true)
        {
            Postgres = new PostgresTypeInfo(typeName, typeModifier, 'b', null, '\0'),
        });
        connection.Execute($"CREATE OR REPLACE TABLE stage (v {plan.StageType})");
        using (var appender = DuckDbRowAppender.Open(connection, "stage"))
        {
            appender.AppendRow(value);
            appender.Complete();
        }

        return (string)connection.Scalar($"SELECT typeof(v) || ' ' || CAST(v AS VARCHAR) FROM (SELECT {plan.LakeExpression} FROM stage)")!;
    }

    // numeric and money travel as their text (the COPY casts them to text): .NET's decimal holds only 28 digits.
    [Theory]
    [InlineData("numeric", Numeric38x10, "9999999999999999999999999999.9999999999", "DECIMAL(38,10) 9999999999999999999999999999.9999999999")]
    [InlineData("numeric", Numeric38x10, "-0.0000000001", "DECIMAL(38,10) -0.0000000001")]
    [InlineData("numeric", Numeric12x2, "-0.01", "DECIMAL(12,2) -0.01")]
    [InlineData("numeric", -1, "1234567890123456789.0123456789", "DECIMAL(38,10) 1234567890123456789.0123456789")]
    [InlineData("money", -1, "-92233720368547758.08", "DECIMAL(19,2) -92233720368547758.08")]
    public void Numeric_FromItsText_ReachesTheLakeExactly(string typeName, int typeModifier, string copied, string expected) =>
        Staged(typeName, typeModifier, copied).ShouldBe(expected);

    [Theory]
    [InlineData(0, "DATE 2000-01-01")]
    [InlineData(-1, "DATE 1999-12-31")]
    [InlineData(-2_451_545, "DATE 4714-11-24 (BC)")]
    [InlineData(int.MaxValue, "DATE infinity")]
    [InlineData(int.MinValue, "DATE -infinity")]
    public void Date_FromPostgresDays_ReachesTheLakeExactly(int postgresDays, string expected) =>
        Staged("date", -1, PostgresTime.ToEpochDays(postgresDays)).ShouldBe(expected);

    [Theory]
    [InlineData("timestamp", 1L, "TIMESTAMP 2000-01-01 00:00:00.000001")]
    [InlineData("timestamp", -63_082_281_600_000_000L, "TIMESTAMP 0001-01-01 00:00:00")]
    [InlineData("timestamp", -63_082_368_000_000_000L, "TIMESTAMP 0001-12-31 (BC) 00:00:00")]
    [InlineData("timestamp", long.MaxValue, "TIMESTAMP infinity")]
    [InlineData("timestamp", long.MinValue, "TIMESTAMP -infinity")]
    [InlineData("timestamptz", -1L, "TIMESTAMP WITH TIME ZONE 1999-12-31 23:59:59.999999+00")]
    [InlineData("timestamptz", long.MaxValue, "TIMESTAMP WITH TIME ZONE infinity")]
    public void Timestamp_FromPostgresMicros_ReachesTheLakeExactly(string typeName, long postgresMicros, string expected) =>
        Staged(typeName, -1, PostgresTime.ToEpochMicros(postgresMicros)).ShouldBe(expected);
}
