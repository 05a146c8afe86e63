using Wharf.IntegrationTests.Sources;
using Wharf.Lineage;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Models;

/// <summary>The lineage graph from the project and its runs: source → lake → table → models, in every format.</summary>
public sealed class LineageTests
{
    [Fact]
    public async Task A_pipelines_run_and_the_models_over_its_table_make_one_chain_from_source_to_mart()
    {
        using var harness = new PipelineHarness();
        harness.WithShopOrders("id,amount\n1,10\n2,20\n");
        harness.Write("models/stg_orders.sql", "select id, amount from {{ source('shop', 'orders') }}");
        harness.Write("models/revenue.sql", "{{ config(materialized='table') }}\nselect sum(amount) as revenue from {{ ref('stg_orders') }}");
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();

        var project = await ProjectLoader.LoadAsync(harness.Root, cancellationToken: TestContext.Current.CancellationToken);
        var models = await ModelProjectReader.ReadAsync(project, TestContext.Current.CancellationToken);
        using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        var graph = LineageReader.Build(project, models, await warehouse.ListRunsAsync(100, null, TestContext.Current.CancellationToken));

        graph.Edges.Select(e => $"{e.From} -> {e.To}").ShouldBe([
            "lake:shop/orders -> table:raw.orders",
            "source:local:orders.csv -> lake:shop/orders",
            "table:main.stg_orders -> table:main.revenue",
            "table:raw.orders -> table:main.stg_orders",
        ]);
        graph.Find("table:main.revenue").ShouldNotBeNull().Kind.ShouldBe(LineageKind.Model);

        var upstream = graph.Around(graph.Match("revenue"), upstream: true, downstream: false);
        upstream.Nodes.Select(n => n.Id).Order(StringComparer.Ordinal).ShouldBe(["lake:shop/orders", "source:local:orders.csv", "table:main.revenue", "table:main.stg_orders", "table:raw.orders"]);
        graph.Around(graph.Match("stg_orders"), upstream: false, downstream: true).Nodes.Select(n => n.Name).ShouldBe(["main.stg_orders", "main.revenue"], ignoreOrder: true);

        LineageFormat.Text(upstream, upstream: true).ShouldStartWith("model main.revenue");
        LineageFormat.Dot(graph).ShouldContain("\"table:raw.orders\" -> \"table:main.stg_orders\";");
        var mermaid = LineageFormat.Mermaid(graph);
        mermaid.ShouldStartWith("flowchart LR\n");
        mermaid.Split('\n').Count(l => l.Contains("-->", StringComparison.Ordinal)).ShouldBe(4);
        System.Text.Json.JsonDocument.Parse(LineageFormat.Json(graph)).RootElement.GetProperty("edges").GetArrayLength().ShouldBe(4);
    }
}
