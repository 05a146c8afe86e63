using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Tests.Lake;

/// <summary>The DECIMAL(p,s) of a column of number text, from a real Parquet file.</summary>
public sealed class DecimalTextTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-decimal-");
    private readonly DuckDBConnection connection = DuckDbConnections.Open(null);

    public void Dispose()
    {
        connection.Dispose();
        directory.Delete(recursive: true);
    }

    /// <summary>Writes the values as a VARCHAR column of a Parquet file, the way the lake holds them, and infers its type.</summary>
    private string? Infer(params string?[] values)
    {
        var file = Path.Combine(directory.FullName, "part.parquet");
        var rows = string.Join(", ", values.Select(v => v is null ? "(NULL::VARCHAR)" : $"({Quote.Literal(v)})"));
        connection.Execute($"COPY (SELECT * FROM (VALUES {rows}) AS t(amount)) TO {Quote.Literal(file)} (FORMAT parquet)");
        return DecimalText.Infer(connection, file, ["amount"])["amount"];
    }

    [Theory]
    [InlineData("DECIMAL(6,2)", "12.50", "1234.5")]
    [InlineData("DECIMAL(2,1)", "0.5")]
    [InlineData("DECIMAL(2,1)", "-.5", "7.")]
    [InlineData("DECIMAL(3,2)", "007.50", "-0.0")]
    [InlineData("DECIMAL(3,2)", " 0.99", "+3.5 ", "\t-1\r\n")]
    [InlineData("DECIMAL(6,3)", "-123.5", "+1.125")]
    [InlineData("DECIMAL(6,3)", " 123.5", "-1.125")]
    [InlineData("DECIMAL(23,0)", "12345678901234567890123", "4.")]
    [InlineData("DECIMAL(38,0)", "12345678901234567890123456789012345678")]
    [InlineData("DECIMAL(38,37)", "0.1234567890123456789012345678901234567")]
    public void Infer_WhenEveryValueIsAPlainDecimal_GivesTheSmallestExactType(string expected, params string[] values) =>
        Infer(values).ShouldBe(expected);

    [Theory]
    [InlineData("1.5", "2.5e3")]
    [InlineData("1.5", "+")]
    [InlineData("1.5", "abc")]
    [InlineData("1.5", "1E-7")]
    [InlineData("inf")]
    [InlineData("-Infinity")]
    [InlineData("nan")]
    [InlineData("1,234.5")]
    [InlineData("1.5", "")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("1 000")]
    [InlineData("0x10")]
    public void Infer_WhenSomeValueIsNoPlainDecimal_GivesNull(params string[] values) =>
        Infer(values).ShouldBeNull();

    [Theory]
    [InlineData("123456789012345678901234567890123456789")]
    [InlineData("1.23456789012345678901234567890123456789")]
    [InlineData("12345678901234567890.5", "0.1234567890123456789")]
    public void Infer_WhenMoreThan38DigitsAreNeeded_GivesNull(params string[] values) =>
        Infer(values).ShouldBeNull();

    [Fact]
    public void Infer_IgnoresNulls() => Infer(null, "1.25", null).ShouldBe("DECIMAL(3,2)");

    [Fact]
    public void Infer_WhenEveryValueIsNull_GivesNull() => Infer(null, null).ShouldBeNull();

    [Fact]
    public void Infer_TypeHoldsEveryValueExactly()
    {
        string[] values = ["-1234.5", " 0.001", "+99", "-.75", "00012.340"];
        var type = Infer(values)!;

        type.ShouldBe("DECIMAL(7,3)");
        var file = Path.Combine(directory.FullName, "part.parquet");
        connection.Scalar($"SELECT string_agg(CAST(CAST(amount AS {type}) AS VARCHAR), ' ') FROM read_parquet({Quote.Literal(file)})")
            .ShouldBe("-1234.500 0.001 99.000 -0.750 12.340");
    }

    [Fact]
    public void Infer_SeveralColumns_TypesEachOnItsOwn()
    {
        var file = Path.Combine(directory.FullName, "wide.parquet");
        connection.Execute($"COPY (SELECT * FROM (VALUES ('1.5', '2e3', NULL::VARCHAR), ('10.25', '1', NULL)) AS t(\"a b\", c, d)) TO {Quote.Literal(file)} (FORMAT parquet)");

        var types = DecimalText.Infer(connection, file, ["a b", "c", "d"]);

        types["a b"].ShouldBe("DECIMAL(4,2)");
        types["c"].ShouldBeNull();
        types["d"].ShouldBeNull();
    }
}
