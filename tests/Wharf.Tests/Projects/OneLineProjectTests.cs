using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary>The project a <c>wharf run --source</c> builds: the same records wharf.yml gives, named after the target.</summary>
public sealed class OneLineProjectTests : IDisposable
{
    private readonly Cli.TempProject folder = new();

    public void Dispose() => folder.Dispose();

    private Project Build(string source, Func<OneLineOptions, OneLineOptions>? with = null) =>
        OneLineProject.Build((with ?? (o => o))(new OneLineOptions { Source = source, Directory = folder.Root, WorkingDirectory = folder.Root }));

    [Fact]
    public void File_IsAFilesConnectionOnItsFolder_AndTheTableIsNamedAfterIt()
    {
        folder.Write("data/Customers 2026.csv.gz", "");

        var project = Build("data/Customers 2026.csv.gz");

        var connection = project.Connections.ShouldHaveSingleItem();
        connection.Type.ShouldBe("files");
        connection.Path.ShouldBe(Path.Combine(folder.Root, "data"));
        var pipeline = project.Pipelines.ShouldHaveSingleItem();
        pipeline.Files.ShouldBe(["Customers 2026.csv.gz"]);
        (pipeline.Name, pipeline.Table, pipeline.Schema, pipeline.Mode).ShouldBe(("customers_2026", "customers_2026", "main", WriteMode.Append));
        pipeline.Source.ShouldBe(connection.Name);
        project.Warehouse.ShouldBe(new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(folder.Root, "warehouse.duckdb")));
        project.LakeDirectory.ShouldBe(Path.Combine(folder.Root, "lake"));
    }

    [Fact]
    public void Glob_SplitsIntoTheFolderWithoutWildcards_AndTheRest()
    {
        var project = Build("data/orders/2026-*/*.ndjson", o => o with { Schema = "raw" });

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Root, "data", "orders"));
        var pipeline = project.Pipelines[0];
        pipeline.Files.ShouldBe(["2026-*/*.ndjson"]);
        (pipeline.Name, pipeline.Table).ShouldBe(("raw__orders", "orders"));
    }

    [Fact]
    public void PostgresTables_AreNamedAfterTheDatabase_AndTheConnectionNameHasNoPassword()
    {
        var project = Build("postgresql://etl:s3cret@db.example:6543/shop?sslmode=disable", o => o with
        {
            Tables = ["public.*"],
            Mode = "MERGE",
            Cursor = ["updated_at"],
            Warehouse = "postgres://dw:other@dw.example/warehouse",
        });

        var connection = project.Connections[0];
        (connection.Type, connection.Name, connection.Url).ShouldBe(("postgres", "postgres://etl@db.example:6543/shop", "postgresql://etl:s3cret@db.example:6543/shop?sslmode=disable"));
        connection.ToString().ShouldNotContain("s3cret");
        var pipeline = project.Pipelines[0];
        (pipeline.Name, pipeline.Mode).ShouldBe(("shop", WriteMode.Merge));
        pipeline.Tables.ShouldBe(["public.*"]);
        pipeline.Incremental.Cursor.ShouldBe(["updated_at"]);
        project.Warehouse.Kind.ShouldBe(WarehouseKind.Postgres);
    }

    [Fact]
    public void Sqlite_TakesRelativeAndAbsolutePaths()
    {
        Build("sqlite:shop.db", o => o with { Tables = ["*"] }).Connections[0].Path.ShouldBe(Path.Combine(folder.Root, "shop.db"));
        Build("sqlite:///var/data/shop.db", o => o with { Query = "select 1", Table = "one" }).Connections[0].Path.ShouldBe("/var/data/shop.db");
    }

    [Fact]
    public void TwoOfQueryTablesAndFiles_AreRejected_NamingTheSecond()
    {
        var error = Should.Throw<OptionException>(() => Build("sqlite:shop.db", o => o with { Query = "select 1", Files = ["*.csv"] }));

        error.Option.ShouldBe("--files");
        error.Message.ShouldStartWith("--query and --files cannot go together");
    }
}
