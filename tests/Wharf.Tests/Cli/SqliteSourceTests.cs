using System.Text.Json;

namespace Wharf.Tests.Cli;

/// <summary>SQLite databases: the retail example end to end, discovery, and values that do not fit.</summary>
public sealed class SqliteSourceTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task RetailExample_SeedsIdempotently_AndSyncsInForeignKeyOrder()
    {
        var example = Path.Combine(QuickstartExampleTests.RepositoryRoot(), "examples", "retail");
        File.Copy(Path.Combine(example, "wharf.yml"), Path.Combine(project.Root, "wharf.yml"));
        File.Copy(Path.Combine(example, "seed.sql"), Path.Combine(project.Root, "seed.sql"));

        (await project.RunAsync("exec", "shop", "--file", Path.Combine(project.Root, "seed.sql"))).ExitCode.ShouldBe(0);
        var again = await project.RunAsync("exec", "shop", "--file", Path.Combine(project.Root, "seed.sql"));
        again.ExitCode.ShouldBe(0, again.ToString());
        var run = await project.RunAsync("run");

        run.ExitCode.ShouldBe(0, run.ToString());
        project.Scalar("select count(*) from raw_shop.customers").ShouldBe(91L);
        project.Scalar("select count(*) from raw_shop.orders").ShouldBe(830L);
        project.Scalar("select count(*) from raw_shop.order_items").ShouldBe(2075L);
        project.Scalar("select count(*) from raw_shop.employees where reports_to is null").ShouldBe(1L);
        project.Scalar("select typeof(unit_price) from raw_shop.products limit 1").ShouldBe("DECIMAL(10,2)");
        project.Scalar("select typeof(hired_on) from raw_shop.employees limit 1").ShouldBe("DATE");
        project.Scalar("select typeof(discontinued) from raw_shop.products limit 1").ShouldBe("BOOLEAN");
        var order = ((string)project.Scalar("select string_agg(stream, ',' order by finished_at) from _wharf.runs where pipeline = 'shop_sync'")!).Split(',').ToList();
        order.IndexOf("customers").ShouldBeLessThan(order.IndexOf("orders"));
        order.IndexOf("employees").ShouldBeLessThan(order.IndexOf("orders"));
        order.IndexOf("orders").ShouldBeLessThan(order.IndexOf("order_items"));
        order.IndexOf("products").ShouldBeLessThan(order.IndexOf("order_items"));
        order.IndexOf("orders").ShouldBeLessThan(order.IndexOf("payments"));
        project.Scalar("select count(*) from raw_shop.revenue_by_country").ShouldBe(8L);
        project.Scalar("select count(*) from duckdb_constraints() where schema_name = 'raw_shop' and constraint_type = 'PRIMARY KEY'").ShouldBe(6L);
        (await project.RunAsync("run")).ExitCode.ShouldBe(0, "a second run replaces tables that now have primary keys");
    }

    [Fact]
    public async Task Discover_ListsTablesAndForeignKeys()
    {
        project.Write("seed.sql", "create table a (id integer primary key, name text not null); create table b (id integer primary key, a_id integer references a(id));")
            .Write("wharf.yml", "connections:\n  db: { type: sqlite, path: db.sqlite }\npipelines:\n  p: { source: db, tables: [\"*\"] }\n");
        (await project.RunAsync("exec", "db", "--file", Path.Combine(project.Root, "seed.sql"))).ExitCode.ShouldBe(0);

        var result = await project.RunAsync("discover", "db", "--format", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var tables = JsonDocument.Parse(result.Output).RootElement;
        tables.GetArrayLength().ShouldBe(2);
        tables[1].GetProperty("table").GetString().ShouldBe("b");
        tables[1].GetProperty("foreign_keys")[0].GetProperty("references").GetString().ShouldBe("main.a");
        tables[0].GetProperty("primary_key")[0].GetString().ShouldBe("id");
    }

    [Fact]
    public async Task ValueThatDoesNotFitItsDeclaredType_NamesTableAndRow_AndLoadsNothing()
    {
        project.Write("seed.sql", "create table t (id integer, born date); insert into t values (1, '2020-01-01'), (2, 'not a date');")
            .Write("wharf.yml", "connections:\n  db: { type: sqlite, path: db.sqlite }\npipelines:\n  p: { source: db, tables: [t] }\n");
        (await project.RunAsync("exec", "db", "--file", Path.Combine(project.Root, "seed.sql"))).ExitCode.ShouldBe(0);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("row 2");
        result.Error.ShouldContain("'db'");
        project.Scalar("select count(*) from information_schema.tables where table_name = 't'").ShouldBe(0L);
    }

    [Fact]
    public async Task MissingDatabaseFile_IsAnError_NotAnEmptyDatabase()
    {
        project.Write("wharf.yml", "connections:\n  db: { type: sqlite, path: missing.sqlite }\npipelines:\n  p: { source: db, tables: [\"*\"] }\n");
        var result = await project.RunAsync("run");
        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("missing.sqlite does not exist");
        File.Exists(Path.Combine(project.Root, "missing.sqlite")).ShouldBeFalse();
    }

    [Fact]
    public async Task FailingScript_RollsBackAndSaysWhy()
    {
        project.Write("seed.sql", "create table t (id integer); insert into t values (1); insert into nope values (2);")
            .Write("wharf.yml", "connections:\n  db: { type: sqlite, path: db.sqlite }\npipelines:\n  p: { source: db, tables: [t] }\n");
        var result = await project.RunAsync("exec", "db", "--file", Path.Combine(project.Root, "seed.sql"));
        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("rolled back");
        result.Error.ShouldContain("nope");
    }
}
