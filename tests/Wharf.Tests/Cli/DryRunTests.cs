using System.Text.Json;

namespace Wharf.Tests.Cli;

/// <summary>
/// <c>wharf run --dry-run</c>, for a <c>--source</c> run and for a project's pipelines: prints what
/// would be extracted and where it would go, and writes nothing at all.
/// </summary>
public sealed class DryRunTests : IDisposable
{
    private readonly TempProject folder = new();
    private readonly TempProject data = new();

    public void Dispose()
    {
        folder.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task SourceRun_PrintsThePlan_AndLeavesTheFolderEmpty()
    {
        data.Write("orders/a.csv", "id,amount\n1,2\n").Write("orders/b.csv", "id,amount\n3,4\n");

        var result = await folder.RunAsync("run", "--source", Path.Combine(data.Root, "orders"), "--files", "*.csv", "--mode", "merge", "--primary-key", "id", "--cursor", "id", "--dry-run");

        result.ExitCode.ShouldBe(0, result.ToString());
        Directory.EnumerateFileSystemEntries(folder.Root).ShouldBeEmpty("a dry run creates no warehouse, lake, lock or state");
        result.Output.ShouldContain("warehouse  duckdb:warehouse.duckdb (not there yet: the run would create it)");
        result.Output.ShouldContain("lake       lake/");
        result.Output.ShouldContain($"pipeline orders: files connection {Path.Combine(data.Root, "orders")}, mode merge");
        result.Output.ShouldContain("orders → main.orders");
        result.Output.ShouldContain("reads    2 csv files matching *.csv");
        result.Output.ShouldContain("files    a.csv, b.csv");
        result.Output.ShouldContain("key      id");
        result.Output.ShouldContain("cursor   id, from the beginning (no saved watermark)");
        result.Output.ShouldContain("lake     lake/orders/orders/");
        result.Output.ShouldContain("Nothing was written.");
    }

    [Fact]
    public async Task SourceRun_Json_GivesThePlanForMachines()
    {
        data.Write("customers.csv", "id,name\n1,a\n");

        var result = await folder.RunAsync("run", "--source", Path.Combine(data.Root, "customers.csv"), "--schema", "raw", "--dry-run", "--format", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        Directory.EnumerateFileSystemEntries(folder.Root).ShouldBeEmpty();
        var plan = JsonDocument.Parse(result.Output).RootElement;
        plan.GetProperty("dry_run").GetBoolean().ShouldBeTrue();
        plan.GetProperty("succeeded").GetBoolean().ShouldBeTrue();
        plan.GetProperty("warehouse").GetString().ShouldBe("duckdb:" + folder.Warehouse);
        plan.GetProperty("warehouse_exists").GetBoolean().ShouldBeFalse();
        plan.GetProperty("lake").GetString().ShouldBe(folder.Lake);
        var pipeline = plan.GetProperty("pipelines").EnumerateArray().ShouldHaveSingleItem();
        pipeline.GetProperty("pipeline").GetString().ShouldBe("raw__customers");
        pipeline.GetProperty("connection_type").GetString().ShouldBe("files");
        pipeline.GetProperty("mode").GetString().ShouldBe("append");
        var stream = pipeline.GetProperty("streams").EnumerateArray().ShouldHaveSingleItem();
        stream.GetProperty("target").GetString().ShouldBe("raw.customers");
        stream.GetProperty("files").EnumerateArray().Select(f => f.GetString()).ShouldBe(["customers.csv"]);
        stream.GetProperty("starts_from").GetString().ShouldBe("every row");
        stream.GetProperty("lake_folder").GetString().ShouldBe(Path.Combine(folder.Lake, "raw__customers", "customers"));
    }

    [Fact]
    public async Task ProjectRun_AfterARun_ShowsTheSavedWatermark_AndChangesNothing()
    {
        folder.Write("data/o.csv", "id,updated_at\n1,2026-01-01 10:00:00\n2,2026-01-02 10:00:00\n").WithPipelines("""
              orders:
                source: local
                files: o.csv
                mode: merge
                primary_key: [id]
                cursor: updated_at
              customers:
                source: local
                files: c.csv
            """);
        (await folder.RunAsync("run", "orders")).ExitCode.ShouldBe(0);
        var before = Snapshot();

        var result = await folder.RunAsync("run", "--dry-run", "--format", "json");

        result.ExitCode.ShouldBe(1, "the customers pipeline has no file: " + result);
        Snapshot().ShouldBe(before, "a dry run writes no file, lock, state or audit row");
        var pipelines = JsonDocument.Parse(result.Output).RootElement.GetProperty("pipelines");
        var orders = pipelines[0].GetProperty("streams")[0];
        orders.GetProperty("watermark").GetString().ShouldBe("updated_at=2026-01-02 10:00:00");
        orders.GetProperty("starts_from").GetString().ShouldBe("updated_at=2026-01-02 10:00:00 (rows at or past it)");
        pipelines[1].GetProperty("error").GetString()!.ShouldContain("c.csv does not exist");
        folder.Scalar("select count(*) from _wharf.runs").ShouldBe(1L);

        var refresh = await folder.RunAsync("run", "orders", "--dry-run", "--full-refresh");
        refresh.ExitCode.ShouldBe(0, refresh.ToString());
        refresh.Output.ShouldContain("cursor   updated_at, from the beginning (--full-refresh ignores the saved watermark)");
        Snapshot().ShouldBe(before);
    }

    /// <summary>Every file under the folder with its size and last write time.</summary>
    private List<string> Snapshot() =>
        [.. Directory.EnumerateFileSystemEntries(folder.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length} {File.GetLastWriteTimeUtc(p).Ticks}" : p)];
}
