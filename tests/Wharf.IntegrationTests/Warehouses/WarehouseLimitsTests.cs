using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;
using Wharf.Projects;
using Wharf.Warehouses;
using Wharf.Warehouses.DuckDb;
using Wharf.Warehouses.Postgres;

namespace Wharf.IntegrationTests.Warehouses;

/// <summary>wharf.yml's <c>memory_limit</c> and <c>threads</c> reach the DuckDB each warehouse runs: the file itself, or PostgreSQL's in-process work area.</summary>
public sealed class WarehouseLimitsTests(PostgresServer postgres) : IDisposable
{
    private static readonly DuckDbLimits Limits = new("300MB", 1);
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-limits-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public async Task A_duckdb_warehouse_runs_under_the_limits_of_wharf_yml_and_so_do_its_work_areas()
    {
        var settings = new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(directory.FullName, "wh.duckdb")) { Limits = Limits };

        using (var warehouse = (DuckDbWarehouse)await WarehouseFactory.OpenAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken))
        {
            AssertLimits(warehouse.WorkArea);
            using var workArea = warehouse.OpenWorkArea();
            AssertLimits(workArea);
        }

        using var existing = (DuckDbWarehouse)await WarehouseFactory.OpenExistingAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken);
        AssertLimits(existing.WorkArea);
    }

    [Fact]
    public async Task A_postgres_warehouse_reads_the_lake_in_a_work_area_under_the_limits_of_wharf_yml()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var settings = new WarehouseSettings(WarehouseKind.Postgres, "")
        {
            Connection = new ConnectionSettings("warehouse", "postgres") { Url = database.Url },
            Limits = Limits,
        };

        using var warehouse = (PostgresWarehouse)await WarehouseFactory.OpenAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken);

        AssertLimits(warehouse.WorkArea);
    }

    [Fact]
    public async Task A_whole_table_scan_lowers_the_limit_while_its_warehouse_is_alone_on_the_file_and_puts_it_back()
    {
        var settings = new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(directory.FullName, "lean.duckdb")) { Limits = Limits };
        using var warehouse = (DuckDbWarehouse)await WarehouseFactory.OpenAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken);

        using (var scan = warehouse.ScanWholeTable())
        {
            scan.ShouldNotBeNull();
            MemoryLimit(warehouse).ShouldBe("183.1 MiB"); // LeanScans.Budget, 192MB

            // Another warehouse on the file (the server's next run) gets the full limit back at once,
            // and cannot lower it while both are open.
            using (var other = (DuckDbWarehouse)await WarehouseFactory.OpenAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken))
            {
                MemoryLimit(other).ShouldBe("286.1 MiB");
                other.ScanWholeTable().ShouldBeNull();
            }
        }

        MemoryLimit(warehouse).ShouldBe("286.1 MiB");
        using (warehouse.ScanWholeTable())
        {
            MemoryLimit(warehouse).ShouldBe("183.1 MiB");
        }

        MemoryLimit(warehouse).ShouldBe("286.1 MiB");
    }

    [Fact]
    public async Task A_limit_already_below_the_lean_budget_is_left_as_it_is()
    {
        var settings = new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(directory.FullName, "small.duckdb")) { Limits = new DuckDbLimits("100MB", 1) };
        using var warehouse = (DuckDbWarehouse)await WarehouseFactory.OpenAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken);

        warehouse.ScanWholeTable().ShouldBeNull();
        MemoryLimit(warehouse).ShouldBe("95.3 MiB");
    }

    private static string MemoryLimit(DuckDbWarehouse warehouse) => (string)warehouse.WorkArea.Scalar("SELECT current_setting('memory_limit')")!;

    private static void AssertLimits(DuckDB.NET.Data.DuckDBConnection connection)
    {
        // 300MB is 286.1 MiB as DuckDB prints it.
        ((string)connection.Scalar("SELECT current_setting('memory_limit')")!).ShouldBe("286.1 MiB");
        connection.Scalar("SELECT current_setting('threads')").ShouldBe(1L);
    }
}
