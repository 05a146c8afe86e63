using Microsoft.Extensions.Logging.Abstractions;
using Wharf.IntegrationTests.Sources;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Models;

/// <summary>Tests on a source table (a pipeline's) run before the models that read it, and stop them when they fail.</summary>
public sealed class SourceTestTests
{
    [Fact]
    public async Task A_failing_source_test_skips_the_models_that_read_the_source_and_passing_ones_let_them_build()
    {
        using var harness = new PipelineHarness();
        harness.WithShopOrders("id,amount\n1,10\n1,20\n");
        harness.Write("models/revenue.sql", "select sum(amount) as revenue from {{ source('shop', 'orders') }}");
        harness.Write("models/sources.yml", """
            version: 2
            sources:
              - name: shop
                schema: raw
                tables:
                  - name: orders
                    columns:
                      - name: id
                        tests: [unique]
            """);
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();

        var failed = await BuildAsync(harness.Root);

        failed.Results.Select(r => (r.Name, r.Status)).ShouldBe([("source:shop.orders", BuildStatus.Failed), ("revenue", BuildStatus.Skipped)]);
        failed.Results[0].Message.ShouldNotBeNull().ShouldContain("unique(id)");

        File.WriteAllText(Path.Combine(harness.Root, "orders.csv"), "id,amount\n1,10\n2,20\n");
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var built = await BuildAsync(harness.Root);

        built.Results.Select(r => (r.Name, r.Status)).ShouldBe([("source:shop.orders", BuildStatus.Succeeded), ("revenue", BuildStatus.Succeeded)]);
        harness.Scalar("select cast(revenue as bigint) from main.revenue").ShouldBe(30L);
    }

    private static async Task<BuildSummary> BuildAsync(string root)
    {
        var project = await ProjectLoader.LoadAsync(root, cancellationToken: TestContext.Current.CancellationToken);
        var models = await ModelProjectReader.ReadAsync(project, TestContext.Current.CancellationToken);
        using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        return await new ModelBuilder(project, models, warehouse, TimeProvider.System, NullLogger.Instance).BuildAsync([], null, TestContext.Current.CancellationToken);
    }
}
