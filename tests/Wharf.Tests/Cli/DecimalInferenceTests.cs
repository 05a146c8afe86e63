using System.Text;
using System.Text.Json;

namespace Wharf.Tests.Cli;

/// <summary>
/// CSV/TSV columns of decimal numbers (which DuckDB's sniffer reads as DOUBLE) arrive in the
/// warehouse as the exact DECIMAL(p,s) of all their values, end to end.
/// </summary>
public sealed class DecimalInferenceTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private async Task RunAsync(string file, string content, string extra = "")
    {
        project.Write($"data/{file}", content).WithPipelines($"""
              t:
                source: local
                files: "{file}"
            {extra}
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());
    }

    private object? TypeOf(string column, string table = "t") =>
        project.Scalar($"select data_type from information_schema.columns where table_name = '{table}' and column_name = '{column}'");

    private object? Values(string column, string table = "t") =>
        project.Scalar($"select string_agg(coalesce(cast({column} as varchar), 'null'), ' ' order by id) from {table}");

    /// <summary>The lake manifest's entry for a column: its type and the type it is stored as (null when the same).</summary>
    private (string Type, string? StoredAs) LakeColumn(string column)
    {
        var manifest = project.LakeFiles("*.manifest.json").Last();
        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        var entry = json.RootElement.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == column);
        return (entry.GetProperty("type").GetString()!, entry.TryGetProperty("stored_as", out var stored) ? stored.GetString() : null);
    }

    [Fact]
    public async Task Csv_DecimalsWithVaryingScales_LoadAsTheExactDecimal()
    {
        await RunAsync("t.csv", "id,amount,price\n1,12.50,0.10\n2,1234.5,0.20\n3,0.99,0.3\n");

        TypeOf("amount").ShouldBe("DECIMAL(6,2)");
        TypeOf("price").ShouldBe("DECIMAL(3,2)");
        Values("amount").ShouldBe("12.50 1234.50 0.99");

        // Binary floating point would give 0.6000000000000001.
        project.Scalar("select cast(sum(price) as varchar) from t").ShouldBe("0.60");
        LakeColumn("amount").ShouldBe(("DECIMAL(6,2)", "VARCHAR"));
    }

    [Fact]
    public async Task Csv_NegativeNumbersAndLeadingSpaces_LoadAsDecimal()
    {
        await RunAsync("t.csv", "id,amount\n1,-1.25\n2,-.5\n3,-100\n4, 0.99\n5,0\n");

        TypeOf("amount").ShouldBe("DECIMAL(5,2)");
        Values("amount").ShouldBe("-1.25 -0.50 -100.00 0.99 0.00");
    }

    [Fact]
    public async Task Csv_WithAnExponent_StaysDouble()
    {
        await RunAsync("t.csv", "id,amount,reading\n1,1.5,2.25\n2,2.5e3,1.5\n");

        TypeOf("amount").ShouldBe("DOUBLE");
        Values("amount").ShouldBe("1.5 2500.0");
        LakeColumn("amount").ShouldBe(("DOUBLE", null));

        // One column falling back does not hold back the others.
        TypeOf("reading").ShouldBe("DECIMAL(3,2)");
        LakeColumn("reading").ShouldBe(("DECIMAL(3,2)", "VARCHAR"));
    }

    [Fact]
    public async Task Csv_WithNullsAndEmptyFields_KeepsThemNull()
    {
        await RunAsync("t.csv", "id,amount\n1,1.5\n2,\n3,NA\n4,22.75\n", "    csv: { null: [\"NA\"] }");

        TypeOf("amount").ShouldBe("DECIMAL(4,2)");
        Values("amount").ShouldBe("1.50 null null 22.75");
    }

    [Fact]
    public async Task Tsv_DecimalColumn_LoadsAsDecimal()
    {
        await RunAsync("t.tsv", "id\tamount\tnote\n1\t3.14159\thas, commas\n2\t-2.5\tx\n");

        TypeOf("amount").ShouldBe("DECIMAL(6,5)");
        Values("amount").ShouldBe("3.14159 -2.50000");
    }

    [Fact]
    public async Task Csv_NeedingMoreThan38Digits_StaysDouble()
    {
        await RunAsync("t.csv", "id,amount\n1,12345678901234567890.5\n2,0.1234567890123456789\n");

        TypeOf("amount").ShouldBe("DOUBLE");
        LakeColumn("amount").ShouldBe(("DOUBLE", null));
    }

    [Fact]
    public async Task Csv_IntegersOnly_KeepTheSniffedIntegerType()
    {
        await RunAsync("t.csv", "id,quantity\n1,3\n2,-40\n");

        TypeOf("quantity").ShouldBe("BIGINT");
    }

    [Fact]
    public async Task Csv_CursorColumn_KeepsDuckDbsTypeAndBoundsTheNextRun()
    {
        const string pipeline = "    mode: append\n    cursor: version";
        await RunAsync("t.csv", "id,version,amount\n1,1.5,10.25\n2,2.5,20.5\n", pipeline);
        await RunAsync("t.csv", "id,version,amount\n1,1.5,10.25\n2,2.5,20.5\n3,3.25,30.125\n", pipeline);

        TypeOf("version").ShouldBe("DOUBLE");
        Values("version").ShouldBe("1.5 2.5 3.25");
        TypeOf("amount").ShouldBe("DECIMAL(5,3)");
        Values("amount").ShouldBe("10.250 20.500 30.125");
        project.Scalar("select count(*) from _wharf.state where watermark like '%\"DOUBLE\"%' and watermark like '%\"3.25\"%'").ShouldBe(1L);
    }

    [Fact]
    public async Task Csv_LaterRunNeedingMoreDigits_WidensTheColumn()
    {
        await RunAsync("t.csv", "id,amount\n1,10.25\n", "    mode: append");
        await RunAsync("t.csv", "id,amount\n2,123.125\n", "    mode: append");

        TypeOf("amount").ShouldBe("DECIMAL(6,3)");
        Values("amount").ShouldBe("10.250 123.125");
    }

    [Fact]
    public async Task Csv_SeveralFilesWithDifferentColumns_TypesEachFromAllFiles()
    {
        project.Write("data/a.csv", "id,amount\n1,1.5\n2,2.25\n").Write("data/b.csv", "id,amount,fee\n3,100.125,0.5\n").WithPipelines("""
              t: { source: local, files: "*.csv" }
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());

        TypeOf("amount").ShouldBe("DECIMAL(6,3)");
        TypeOf("fee").ShouldBe("DECIMAL(2,1)");
        Values("fee").ShouldBe("null null 0.5");
    }

    [Fact]
    public async Task Csv_ValueThatIsNoNumberPastTheSniffedRows_FailsNamingTheLine()
    {
        // DuckDB's sniffer looks at the first 20,480 rows; the bad value is past them.
        var csv = new StringBuilder("id,amount\n");
        for (var i = 1; i <= 30_000; i++)
        {
            csv.Append(i).Append(',').Append(i == 25_000 ? "abc" : $"{i}.25").Append('\n');
        }

        project.Write("data/t.csv", csv.ToString()).WithPipelines("""
              t: { source: local, files: "t.csv" }
            """);
        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("t.csv, line 25001");
        result.Error.ShouldContain("abc");
        project.LakeFiles("*.parquet").ShouldBeEmpty();
        Directory.GetFiles(project.Root, "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }
}
