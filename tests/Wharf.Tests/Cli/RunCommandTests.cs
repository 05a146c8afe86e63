using System.Text.Json;
using Wharf.DuckDb;

namespace Wharf.Tests.Cli;

/// <summary>`wharf run` end to end: files land in the lake and the warehouse, with an audit trail.</summary>
public sealed class RunCommandTests : IDisposable
{
    private const string Customers = """
        id,name,email,amount,signed_up
        1,"Silva, Ana",ana@example.com,10.50,2024-01-15
        2,"Chen ""CC"" Li",,20.25,2024-02-03
        3,Bruno,"",,2024-03-21

        """;

    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private TempProject CustomersProject(string mode = "replace") => project
        .Write("data/customers.csv", Customers)
        .WithPipelines($"""
              customers:
                source: local
                files: "customers.csv"
                table: customers
                schema: raw
                mode: {mode}
            """);

    [Fact]
    public async Task Run_Csv_LoadsEveryRowWithQuotesAndNulls()
    {
        var result = await CustomersProject().RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("3 rows into raw.customers");
        project.Scalar("select count(*) from raw.customers").ShouldBe(3L);
        project.Scalar("select name from raw.customers where id = 1").ShouldBe("Silva, Ana");
        project.Scalar("select name from raw.customers where id = 2").ShouldBe("Chen \"CC\" Li");
        project.Scalar("select email from raw.customers where id = 2").ShouldBeNull();
        project.Scalar("select amount from raw.customers where id = 3").ShouldBeNull();
        project.Scalar("select email from raw.customers where id = 3").ShouldBe("", "a quoted empty field is an empty string, not NULL");
        project.Scalar("select count(distinct _wharf_run_id) from raw.customers").ShouldBe(1L);
        project.Scalar("select count(*) from raw.customers where _wharf_loaded_at is null").ShouldBe(0L);
    }

    [Fact]
    public async Task Run_WritesOneParquetFileAndManifestPerExtract_UnderTheDatedLayout()
    {
        var result = await CustomersProject().RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());

        var file = project.LakeFiles().ShouldHaveSingleItem();
        var relative = Path.GetRelativePath(project.Lake, file).Replace('\\', '/');
        relative.ShouldMatch(@"^customers/customers/\d{4}/\d{2}/\d{2}/\d{8}T\d{9}Z-[0-9a-f]{6}-0000\.parquet$");
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(file, ".manifest.json"))).RootElement;
        manifest.GetProperty("rows").GetInt64().ShouldBe(3);
        manifest.GetProperty("source_files")[0].GetString().ShouldBe("customers.csv");
        manifest.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ShouldBe(["id", "name", "email", "amount", "signed_up"]);
        project.Scalar($"select count(*) from read_parquet('{file}')").ShouldBe(3L);
        project.Scalar($"select compression from parquet_metadata('{file}') limit 1").ShouldBe("ZSTD");
    }

    [Fact]
    public async Task Run_Twice_NeverOverwritesTheLake_AndReplaceKeepsOneCopy()
    {
        CustomersProject();
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        var first = project.LakeFiles().ShouldHaveSingleItem();
        var firstBytes = File.ReadAllBytes(first);

        (await project.RunAsync("run")).ExitCode.ShouldBe(0);

        project.LakeFiles().Length.ShouldBe(2);
        File.ReadAllBytes(first).ShouldBe(firstBytes);
        project.Scalar("select count(*) from raw.customers").ShouldBe(3L);
        project.Scalar("select count(*) from _wharf.runs where status = 'succeeded'").ShouldBe(2L);
    }

    [Fact]
    public async Task Run_Append_AddsTheRowsOfEachRun()
    {
        CustomersProject(mode: "append");
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);

        project.Scalar("select count(*) from raw.customers").ShouldBe(6L);
        project.Scalar("select count(distinct _wharf_run_id) from raw.customers").ShouldBe(2L);
    }

    [Fact]
    public async Task Run_RecordsTheAuditRow_InTheWarehouse()
    {
        (await CustomersProject().RunAsync("run")).ExitCode.ShouldBe(0);

        project.Scalar("select pipeline || '|' || stream || '|' || target || '|' || mode || '|' || status from _wharf.runs")
            .ShouldBe("customers|customers|raw.customers|replace|succeeded");
        project.Scalar("select rows_extracted from _wharf.runs").ShouldBe(3L);
        project.Scalar("select rows_loaded from _wharf.runs").ShouldBe(3L);
        project.Scalar("select source from _wharf.runs").ShouldBe("local: customers.csv");
        project.Scalar("select len(lake_files) from _wharf.runs").ShouldBe(1L);
        project.Scalar("select finished_at >= started_at and duration_ms >= 0 from _wharf.runs").ShouldBe(true);
        project.Scalar("select (select _wharf_run_id from raw.customers limit 1) = run_id from _wharf.runs").ShouldBe(true);
    }

    [Fact]
    public async Task Run_NdjsonWithNestedObjects_And_Parquet_And_AGlobOfManyFiles()
    {
        project
            .Write("data/events/a.ndjson", """{"id": 1, "user": {"name": "ana", "tags": ["x", "y"]}, "at": "2024-01-01T10:00:00.123456"}""" + "\n")
            .Write("data/events/b.ndjson", """{"id": 2, "user": {"name": "bo", "tags": []}, "at": "2024-01-02T11:00:00.000001"}""" + "\n" +
                """{"id": 3, "user": null, "at": null}""" + "\n")
            .WithPipelines("""
                  events:
                    source: local
                    files: "events/*.ndjson"
                    mode: replace
                """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());
        project.Scalar("select count(*) from events").ShouldBe(3L);
        project.Scalar("select user__name from events where id = 1").ShouldBe("ana");
        project.Scalar("select count(*) from events__user__tags t join events e on t._wharf_parent_id = e._wharf_id where e.id = 1").ShouldBe(2L);
        project.Scalar("select \"at\"::timestamp from events where id = 1").ShouldBe(new DateTime(2024, 1, 1, 10, 0, 0).AddTicks(1234560));
        var events = project.LakeFiles().Single(f => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(f))))) == "events");
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(events, ".manifest.json"))).RootElement;
        manifest.GetProperty("source_files").EnumerateArray().Select(f => f.GetString()).ShouldBe(["events/a.ndjson", "events/b.ndjson"]);
    }

    [Fact]
    public async Task Run_Parquet_KeepsDecimalsAndDates()
    {
        Directory.CreateDirectory(Path.Combine(project.Root, "data"));
        using (var connection = DuckDbConnections.Open(null))
        {
            connection.Execute($"copy (select 'SKU-1' as sku, 12.34::decimal(10,2) as price, date '2020-02-29' as launched) to '{Path.Combine(project.Root, "data", "products.parquet")}' (format parquet)");
        }

        project.WithPipelines("""
              products:
                source: local
                files: "products.parquet"
            """);
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(0, result.ToString());
        project.Scalar("select price from products").ShouldBe(12.34m);
        project.Scalar("select typeof(price) from products").ShouldBe("DECIMAL(10,2)");
        project.Scalar("select launched from products").ShouldBe(new DateOnly(2020, 2, 29));
    }

    [Fact]
    public async Task Run_NormalizesColumnNamesToSnakeCase()
    {
        project.Write("data/x.csv", "OrderID,Customer Name,createdAt\n1,Ana,2024-01-01\n").WithPipelines("""
              x:
                source: local
                files: "x.csv"
            """);
        (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        project.Scalar("select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_name = 'x'")
            .ShouldBe("order_id,customer_name,created_at,_wharf_run_id,_wharf_loaded_at");
    }

    [Fact]
    public async Task Run_JsonFormat_PrintsAMachineReadableSummary()
    {
        var result = await CustomersProject().RunAsync("run", "--format", "json");
        result.ExitCode.ShouldBe(0, result.ToString());
        var summary = JsonDocument.Parse(result.Output).RootElement;
        summary.GetProperty("succeeded").GetBoolean().ShouldBeTrue();
        var stream = summary.GetProperty("streams")[0];
        stream.GetProperty("rows_loaded").GetInt64().ShouldBe(3);
        stream.GetProperty("target").GetString().ShouldBe("raw.customers");
    }

    [Fact]
    public async Task Run_NamedPipeline_RunsOnlyThatOne()
    {
        project.Write("data/a.csv", "x\n1\n").Write("data/b.csv", "y\n2\n").WithPipelines("""
              a: { source: local, files: "a.csv" }
              b: { source: local, files: "b.csv" }
            """);
        (await project.RunAsync("run", "b")).ExitCode.ShouldBe(0);
        project.Scalar("select count(*) from information_schema.tables where table_name = 'a'").ShouldBe(0L);
        project.Scalar("select count(*) from b").ShouldBe(1L);
    }
}
