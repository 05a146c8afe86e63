using System.Globalization;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Schema;

namespace Wharf.Tests.Schema;

/// <summary>
/// The SQL a <see cref="SchemaPlan"/> gives, run on DuckDB over incoming rows: which rows the
/// discard contracts keep and which values reach the table. A value "fits" the table's type only
/// when it converts without loss; a rounded value is a value that did not fit.
/// </summary>
public sealed class SchemaPlanSqlTests : IDisposable
{
    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public void Dispose() => connection.Dispose();

    /// <summary>
    /// The rows loaded into a one-column table <c>v</c> of <paramref name="tableType"/> from
    /// <paramref name="values"/> of <paramref name="incomingType"/>, under a data_type contract,
    /// each value as text (NULL for null).
    /// </summary>
    private List<string> Load(string tableType, string incomingType, ContractMode dataType, params string[] values)
    {
        var plan = SchemaPlan.For("raw.t", [new TableColumn("v", LogicalType.FromDuckDb(tableType))], [("v", incomingType)],
            new SchemaContract(DataType: dataType), new HashSet<string>(StringComparer.Ordinal), "s");
        var rows = string.Join(", ", values.Select((v, i) => $"({i}, {(v == "NULL" ? "NULL" : $"'{v}'")}::{incomingType})"));
        var where = plan.DiscardRow is { } discard ? $" WHERE NOT coalesce(({discard}), FALSE)" : "";
        using var reader = connection.Query(
            $"SELECT CAST({plan.Projection[0][..plan.Projection[0].LastIndexOf(" AS ", StringComparison.Ordinal)]} AS VARCHAR) FROM (SELECT * FROM (VALUES {rows}) AS x(n, v)) AS s{where} ORDER BY s.n");
        var loaded = new List<string>();
        while (reader.Read())
        {
            loaded.Add(reader.IsDBNull(0) ? "NULL" : Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return loaded;
    }

    [Fact]
    public void DiscardRow_WhenADecimalWouldBeRoundedIntoAnInteger_DiscardsTheRow()
    {
        Load("BIGINT", "DECIMAL(3,1)", ContractMode.DiscardRow, "10.0", "10.5", "NULL", "-3.0").ShouldBe(["10", "NULL", "-3"]);
    }

    [Fact]
    public void DiscardRow_WhenAValueWouldLoseScale_DiscardsTheRow()
    {
        Load("DECIMAL(5,2)", "DECIMAL(8,4)", ContractMode.DiscardRow, "1.2300", "1.2345", "999.9900", "1000.0000").ShouldBe(["1.23", "999.99"]);
    }

    [Fact]
    public void DiscardRow_WhenAnInteger64DoesNotFitInt32_DiscardsTheRow()
    {
        Load("INTEGER", "BIGINT", ContractMode.DiscardRow, "7", "3000000000", "-2147483648").ShouldBe(["7", "-2147483648"]);
    }

    [Fact]
    public void DiscardRow_WhenAFloatHasAFraction_DiscardsTheRow()
    {
        Load("BIGINT", "DOUBLE", ContractMode.DiscardRow, "2.0", "1.5", "1e300").ShouldBe(["2"]);
    }

    [Fact]
    public void DiscardRow_WhenATimestampHasATimeOfDay_DiscardsTheRowFromADateColumn()
    {
        Load("DATE", "TIMESTAMP", ContractMode.DiscardRow, "2026-01-01 00:00:00", "2026-01-02 10:30:00").ShouldBe(["2026-01-01"]);
    }

    [Fact]
    public void DiscardRow_WhenTextIsNoNumberOrNotAWholeOne_DiscardsTheRow()
    {
        Load("BIGINT", "VARCHAR", ContractMode.DiscardRow, "42", "abc", "10.5", " 7", "NULL").ShouldBe(["42", "7", "NULL"]);
    }

    [Fact]
    public void DiscardRow_WhenTextHasMoreDecimalsThanTheColumn_DiscardsTheRow()
    {
        Load("DECIMAL(5,2)", "VARCHAR", ContractMode.DiscardRow, "1.25", "1.255", "x").ShouldBe(["1.25"]);
    }

    [Fact]
    public void DiscardRow_WhenTextIsADate_KeepsIt()
    {
        Load("DATE", "VARCHAR", ContractMode.DiscardRow, "2026-03-01", "yesterday").ShouldBe(["2026-03-01"]);
    }

    [Fact]
    public void DiscardColumn_SetsOnlyTheValuesThatDoNotFitToNull()
    {
        Load("BIGINT", "DECIMAL(3,1)", ContractMode.DiscardColumn, "10.0", "10.5", "NULL").ShouldBe(["10", "NULL", "NULL"]);
        Load("DECIMAL(5,2)", "DECIMAL(8,4)", ContractMode.DiscardColumn, "1.2300", "1.2345").ShouldBe(["1.23", "NULL"]);
        Load("BIGINT", "VARCHAR", ContractMode.DiscardColumn, "42", "abc", "10.5").ShouldBe(["42", "NULL", "NULL"]);
    }

    [Fact]
    public void Evolve_WhenTheTypeWidens_KeepsEveryValueExactly()
    {
        Load("DECIMAL(5,2)", "DECIMAL(8,4)", ContractMode.Evolve, "1.2345", "-9999.9999").ShouldBe(["1.2345", "-9999.9999"]);
        Load("INTEGER", "BIGINT", ContractMode.Evolve, "3000000000").ShouldBe(["3000000000"]);
        Load("BIGINT", "DECIMAL(3,1)", ContractMode.Evolve, "10.5").ShouldBe(["10.5"]);
    }
}
