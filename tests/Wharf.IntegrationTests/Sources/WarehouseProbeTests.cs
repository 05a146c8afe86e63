using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;
using Wharf.Projects;
using Wharf.Sources;

namespace Wharf.IntegrationTests.Sources;

/// <summary><c>wharf test-connection --warehouse</c>: the project's warehouse reached (or not) without changing it, never printing the password.</summary>
public sealed class WarehouseProbeTests(PostgresServer postgres) : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wharf-probe-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task A_postgres_warehouse_is_reached_and_an_unreachable_one_says_why_without_the_password()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var ok = new WarehouseSettings(WarehouseKind.Postgres, "") { Connection = new ConnectionSettings("warehouse", "postgres") { Url = database.Url } };

        (await ConnectionProbe.TestWarehouseAsync(ok, TestContext.Current.CancellationToken)).ShouldStartWith("connected to the warehouse ");
        (await ConnectionProbe.TestWarehouseAsync(ok, TestContext.Current.CancellationToken)).ShouldContain($"/{database.Name} (PostgreSQL ");

        var gone = new WarehouseSettings(WarehouseKind.Postgres, "") { Connection = new ConnectionSettings("warehouse", "postgres") { Url = "postgres://someone:Hush-42@127.0.0.1:1/dw" } };
        var error = await Should.ThrowAsync<WharfException>(() => ConnectionProbe.TestWarehouseAsync(gone, TestContext.Current.CancellationToken));
        error.Message.ShouldContain("The warehouse cannot be reached");
        error.Message.ShouldContain("someone@127.0.0.1:1/dw");
        error.Message.ShouldNotContain("Hush-42");
    }

    [Fact]
    public async Task A_duckdb_warehouse_is_opened_read_only_or_said_to_come_with_the_first_run()
    {
        var path = Path.Combine(folder.FullName, "warehouse.duckdb");
        var settings = new WarehouseSettings(WarehouseKind.DuckDb, path);

        (await ConnectionProbe.TestWarehouseAsync(settings, TestContext.Current.CancellationToken)).ShouldStartWith($"there is no warehouse at {path} yet");
        File.Exists(path).ShouldBeFalse();

        using (var connection = DuckDbConnections.Open(path))
        {
            connection.Execute("CREATE TABLE t (x INTEGER)");
        }

        (await ConnectionProbe.TestWarehouseAsync(settings, TestContext.Current.CancellationToken)).ShouldStartWith($"opened the warehouse {path} read-only (DuckDB v");
    }
}
