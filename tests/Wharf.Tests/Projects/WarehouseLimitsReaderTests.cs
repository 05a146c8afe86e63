using Wharf.DuckDb;
using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary>wharf.yml's long form of <c>warehouse:</c>, with DuckDB's memory limit and threads.</summary>
public sealed class WarehouseLimitsReaderTests : IDisposable
{
    private const string Pipelines = """
        connections:
          files: { type: files, path: . }
        pipelines:
          orders: { source: files, files: orders.csv, table: orders }
        """;

    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task The_short_form_gets_the_default_limits()
    {
        folder.WriteProject("warehouse: duckdb:wh.duckdb\n" + Pipelines);

        var project = await folder.LoadAsync();

        project.Warehouse.Limits.ShouldBe(DuckDbLimits.Default);
        project.Warehouse.Limits.MemoryLimit.ShouldBe("512MB");
    }

    [Fact]
    public async Task The_long_form_reads_the_url_the_memory_limit_and_the_threads()
    {
        folder.WriteProject("warehouse: { url: duckdb:db/wh.duckdb, memory_limit: 2GiB, threads: 3 }\n" + Pipelines);

        var project = await folder.LoadAsync();

        project.Warehouse.Location.ShouldBe(Path.Combine(folder.Path, "db", "wh.duckdb"));
        project.Warehouse.Limits.ShouldBe(new DuckDbLimits("2GiB", 3));
        project.Warehouse.Limits.ToSettings().ShouldBe(new Dictionary<string, string> { ["memory_limit"] = "2GiB", ["threads"] = "3" });
    }

    [Fact]
    public async Task The_long_form_without_a_url_is_the_default_file_and_a_postgres_url_keeps_its_limits()
    {
        folder.WriteProject("warehouse: { memory_limit: 1GB }\n" + Pipelines);
        var project = await folder.LoadAsync();
        project.Warehouse.Location.ShouldBe(Path.Combine(folder.Path, "warehouse.duckdb"));
        project.Warehouse.Limits.ShouldBe(new DuckDbLimits("1GB", null));

        folder.WriteProject("warehouse: { url: \"${DW_URL}\", threads: 2 }\n" + Pipelines);
        project = await folder.LoadAsync(new Dictionary<string, string> { ["DW_URL"] = "postgres://etl:secret@db:5432/dw" });
        project.Warehouse.Kind.ShouldBe(WarehouseKind.Postgres);
        project.Warehouse.Limits.ShouldBe(new DuckDbLimits("512MB", 2));
    }

    [Theory]
    [InlineData("{ memory_limit: lots }", "'memory_limit' in 'warehouse' must be a size such as 512MB", 28)]
    [InlineData("{ memory_limit: 80% }", "not '80%'", 28)]
    [InlineData("{ threads: 0 }", "'threads' in 'warehouse' must be between 1 and 1024, not 0", 23)]
    [InlineData("{ threads: two }", "'threads' in 'warehouse' must be a whole number", 23)]
    [InlineData("{ memory: 1GB }", "unknown key 'memory' in 'warehouse'", 14)]
    [InlineData("{ url: mysql://x/y }", "'warehouse' must be 'duckdb:FILE'", 19)]
    public async Task A_bad_long_form_says_what_and_where(string warehouse, string problem, int column)
    {
        var error = await folder.LoadFailsAsync($"warehouse: {warehouse}\n" + Pipelines);

        error.Message.ShouldContain(problem);
        error.Line.ShouldBe(1);
        error.Column.ShouldBe(column);
    }
}
