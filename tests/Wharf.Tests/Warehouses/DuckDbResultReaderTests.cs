using System.Data.Common;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Warehouses.DuckDb;

namespace Wharf.Tests.Warehouses;

/// <summary>
/// <see cref="DuckDbResultReader"/>, what <c>wharf query</c> reads from a DuckDB warehouse: every value
/// as DuckDB prints it, including those DuckDB.NET cannot read (infinity, 38-digit decimals, lists
/// holding a NULL), nested values as dictionaries and lists.
/// </summary>
public sealed class DuckDbResultReaderTests : IDisposable
{
    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public DuckDbResultReaderTests() => connection.Execute("SET TimeZone = 'UTC'");

    public void Dispose() => connection.Dispose();

    /// <summary>The only row of <paramref name="sql"/>, its values as the reader gives them.</summary>
    private object[] Row(string sql)
    {
        using var reader = DuckDbResultReader.Open(connection, sql);
        reader.Read().ShouldBeTrue();
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        reader.Read().ShouldBeFalse();
        return values;
    }

    [Fact]
    public void InfiniteAndBcDatesAndTimestamps_ReadAsDuckDbsText() =>
        Row("SELECT DATE 'infinity' AS d, DATE '-infinity' AS nd, DATE '0044-03-15 (BC)' AS bc, TIMESTAMP '-infinity' AS ts, TIMESTAMPTZ 'infinity' AS tz")
            .ShouldBe(["infinity", "-infinity", "0044-03-15 (BC)", "-infinity", "infinity"]);

    [Fact]
    public void FiniteTemporalValues_ReadAsDuckDbsText() =>
        Row("SELECT DATE '2024-02-29' AS d, TIMESTAMP '2024-01-02 03:04:05.000001' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz, TIME '23:59:59.999999' AS t, INTERVAL '1 year 2 days 3 seconds' AS i")
            .ShouldBe(["2024-02-29", "2024-01-02 03:04:05.000001", "2024-01-02 01:04:05+00", "23:59:59.999999", "1 year 2 days 00:00:03"]);

    [Fact]
    public void Decimal38_WithAll38Digits_IsExact() =>
        Row("SELECT CAST('9999999999999999999999999999.9999999999' AS DECIMAL(38,10)) AS n, CAST('-0.0000000001' AS DECIMAL(38,10)) AS small")
            .ShouldBe(["9999999999999999999999999999.9999999999", "-0.0000000001"]);

    [Fact]
    public void NarrowDecimalsAndNumbers_KeepTheirDotNetTypes() =>
        Row("SELECT CAST(12.34 AS DECIMAL(10,2)) AS price, 42 AS i, CAST(7 AS BIGINT) AS l, 'text' AS s, true AS b")
            .ShouldBe([12.34m, 42, 7L, "text", true]);

    [Fact]
    public void List_HoldingANull_IsAListWithANull()
    {
        var values = Row("SELECT [1, NULL, 3] AS l, ['a', NULL] AS s, CAST([] AS INTEGER[]) AS e");

        values[0].ShouldBe(new List<object?> { 1L, null, 3L });
        values[1].ShouldBe(new List<object?> { "a", null });
        values[2].ShouldBe(new List<object?>());
    }

    [Fact]
    public void Struct_IsADictionaryOfItsFields()
    {
        var row = (Dictionary<string, object?>)Row("SELECT {'id': 7, 'tags': ['a', 'b'], 'inner': {'x': NULL}} AS s")[0];

        row["id"].ShouldBe(7L);
        row["tags"].ShouldBe(new List<object?> { "a", "b" });
        ((Dictionary<string, object?>)row["inner"]!)["x"].ShouldBeNull();
    }

    [Fact]
    public void Struct_HoldingA38DigitDecimal_KeepsEveryDigit()
    {
        var row = (Dictionary<string, object?>)Row("SELECT {'n': CAST('9999999999999999999999999999.9999999999' AS DECIMAL(38,10))} AS s")[0];

        Convert.ToString(row["n"], System.Globalization.CultureInfo.InvariantCulture).ShouldBe("9999999999999999999999999999.9999999999");
    }

    [Fact]
    public void NullNestedValue_IsDbNull()
    {
        using var reader = DuckDbResultReader.Open(connection, "SELECT CAST(NULL AS INTEGER[]) AS l, CAST(NULL AS DATE) AS d");
        reader.Read().ShouldBeTrue();

        reader.IsDBNull(0).ShouldBeTrue();
        reader.IsDBNull(1).ShouldBeTrue();
        reader.GetValue(0).ShouldBe(DBNull.Value);
        reader.GetValue(1).ShouldBe(DBNull.Value);
    }

    [Fact]
    public void ColumnNames_AreTheQuerys()
    {
        using var reader = DuckDbResultReader.Open(connection, "SELECT DATE '2024-01-01' AS \"the date\", [1] AS \"List\"");

        Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ShouldBe(["the date", "List"]);
    }

    [Fact]
    public void Rows_KeepTheQuerysOrder()
    {
        using var reader = DuckDbResultReader.Open(connection, "SELECT DATE '2000-01-01' + CAST(i AS INTEGER) AS d FROM range(5000) t(i) ORDER BY d DESC");
        var dates = new List<string>();
        while (reader.Read())
        {
            dates.Add((string)reader.GetValue(0));
        }

        dates.Count.ShouldBe(5000);
        dates.ShouldBe(dates.OrderDescending(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void StatementThatIsNoQuery_Runs()
    {
        using (var reader = DuckDbResultReader.Open(connection, "CREATE TABLE t AS SELECT DATE 'infinity' AS d"))
        {
            reader.Read().ShouldBeFalse();
        }

        using (DbDataReader reader = DuckDbResultReader.Open(connection, "INSERT INTO t VALUES (DATE '2024-01-01')"))
        {
            while (reader.Read())
            {
            }
        }

        connection.Scalar("SELECT count(*) FROM t").ShouldBe(2L);
        Row("SELECT string_agg(CAST(d AS VARCHAR), ' ' ORDER BY d) AS d FROM t").ShouldBe(["2024-01-01 infinity"]);
    }
}
