using Wharf.Projects;

namespace Wharf.Tests.Projects;

public sealed class ProjectSelectTests
{
    private static readonly Project Project = new(
        "/p",
        "/p/wharf.yml",
        new WarehouseSettings(WarehouseKind.DuckDb, "/p/warehouse.duckdb"),
        "/p/lake",
        [new ConnectionSettings("files", "files") { Path = "/p" }],
        [Pipeline("orders"), Pipeline("customers"), Pipeline("products")]);

    private static PipelineSettings Pipeline(string name) => new()
    {
        Name = name,
        Source = "files",
        Files = [$"{name}.csv"],
        Table = name,
        Location = new SourceLocation("/p/wharf.yml", 1, 1),
    };

    [Fact]
    public void Select_WhenNoNamesAreGiven_ReturnsEveryPipelineInFileOrder()
    {
        var selected = Project.Select([]);

        selected.Select(p => p.Name).ShouldBe(["orders", "customers", "products"]);
    }

    [Fact]
    public void Select_WhenNamesAreGiven_ReturnsThoseInTheOrderGiven()
    {
        var selected = Project.Select(["products", "orders"]);

        selected.Select(p => p.Name).ShouldBe(["products", "orders"]);
    }

    [Fact]
    public void Select_WhenANameMatchesNoPipeline_ListsThePipelines()
    {
        var error = Should.Throw<WharfException>(() => Project.Select(["orders", "invoices"]));

        error.Message.ShouldContain("'invoices'");
        error.Message.ShouldContain("Pipelines: orders, customers, products.");
        error.Message.ShouldContain("/p/wharf.yml");
    }

    [Fact]
    public void Select_WhenNameDiffersOnlyInCase_DoesNotMatch()
    {
        Should.Throw<WharfException>(() => Project.Select(["Orders"]));
    }

    [Fact]
    public void Connection_ReturnsTheNamedConnection()
    {
        Project.Connection("files").Path.ShouldBe("/p");
    }
}
