using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.IntegrationTests.Sources;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Lineage;

/// <summary>
/// OpenLineage events of a pipeline run and a model build, received on a real endpoint and
/// validated against the spec's JSON schema; an endpoint that is down never fails the run.
/// </summary>
public sealed class OpenLineageTests
{
    private static void Project(PipelineHarness harness, string lineage)
    {
        harness.WithShopOrders("id,amount\n1,10\n2,20\n");
        harness.WithProject(File.ReadAllText(Path.Combine(harness.Root, "wharf.yml")) + lineage);
        harness.Write("models/revenue.sql", "{{ config(materialized='table') }}\nselect sum(amount) as revenue from {{ source('shop', 'orders') }}");
        harness.Write("models/broken.sql", "{{ config(materialized='table') }}\nselect no_such_column from {{ source('shop', 'orders') }}");
    }

    private static async Task<BuildSummary> BuildAsync(string root)
    {
        var project = await ProjectLoader.LoadAsync(root, cancellationToken: TestContext.Current.CancellationToken);
        var models = await ModelProjectReader.ReadAsync(project, TestContext.Current.CancellationToken);
        using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        return await new ModelBuilder(project, models, warehouse, TimeProvider.System, NullLogger.Instance).BuildAsync([], null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Runs_and_builds_send_START_then_COMPLETE_or_FAIL_that_validate_against_the_spec()
    {
        using var receiver = new LineageReceiver();
        using var harness = new PipelineHarness();
        Environment.SetEnvironmentVariable("WHARF_TEST_OL_KEY", "ol-secret-42");
        Project(harness, $$"""

            lineage:
              openlineage: { url: "{{receiver.Url}}", api_key: "${WHARF_TEST_OL_KEY}", namespace: shop_dw }
            """);

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var build = await BuildAsync(harness.Root);
        build.Results.Single(r => r.Name == "broken").Status.ShouldBe(BuildStatus.Failed);

        var events = receiver.Events.ToList();
        foreach (var @event in events)
        {
            OpenLineageSchema.Problems(@event).ShouldBeEmpty(@event.ToJsonString());
        }

        // The validation has teeth: an event without its producer, or a facet without its schema URL, is refused.
        var noProducer = events[0].DeepClone();
        noProducer.AsObject().Remove("producer");
        OpenLineageSchema.Problems(noProducer).ShouldNotBeEmpty();
        var noSchemaUrl = events[0].DeepClone();
        noSchemaUrl["job"]!["facets"]!["jobType"]!.AsObject().Remove("_schemaURL");
        OpenLineageSchema.Problems(noSchemaUrl).ShouldNotBeEmpty();

        string Type(JsonNode e) => e["eventType"]!.GetValue<string>();
        string Job(JsonNode e) => e["job"]!["name"]!.GetValue<string>();
        string Run(JsonNode e) => e["run"]!["runId"]!.GetValue<string>();

        var load = events.Where(e => Job(e) == "shop.orders").ToList();
        load.Select(Type).ShouldBe(["START", "COMPLETE"]);
        Run(load[0]).ShouldBe(Run(load[1]));
        load[1]["job"]!["namespace"]!.GetValue<string>().ShouldBe("shop_dw");
        load[1]["inputs"]![0]!["namespace"]!.GetValue<string>().ShouldBe("file://");
        load[1]["inputs"]![0]!["name"]!.GetValue<string>().ShouldEndWith("/orders.csv");
        var output = load[1]["outputs"]![0]!;
        output["name"]!.GetValue<string>().ShouldBe("raw.orders");
        output["namespace"]!.GetValue<string>().ShouldStartWith("duckdb:///");
        output["outputFacets"]!["outputStatistics"]!["rowCount"]!.GetValue<long>().ShouldBe(2);

        var model = events.Where(e => Job(e) == "model.revenue").ToList();
        model.Select(Type).ShouldBe(["START", "COMPLETE"]);
        Run(model[0]).ShouldBe(Run(model[1]));
        model[1]["job"]!["facets"]!["sql"]!["query"]!.GetValue<string>().ShouldContain("sum(amount) as revenue from \"raw\".\"orders\"");
        model[1]["inputs"]![0]!["name"]!.GetValue<string>().ShouldBe("raw.orders");
        model[1]["outputs"]![0]!["name"]!.GetValue<string>().ShouldBe("main.revenue");

        var broken = events.Where(e => Job(e) == "model.broken").ToList();
        broken.Select(Type).ShouldBe(["START", "FAIL"]);
        broken[1]["run"]!["facets"]!["errorMessage"]!["message"]!.GetValue<string>().ShouldContain("no_such_column");

        receiver.Authorizations.ShouldAllBe(a => a == "Bearer ol-secret-42");
        events.ShouldAllBe(e => !e.ToJsonString().Contains("ol-secret-42", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_endpoint_that_is_down_never_fails_the_run_and_the_events_wait_in_the_file()
    {
        using var harness = new PipelineHarness();
        Project(harness, $$"""

            lineage:
              openlineage: { url: "http://127.0.0.1:{{LineageReceiver.FreePort()}}", file: lineage/pending.ndjson }
            """);

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();

        var pending = File.ReadAllLines(Path.Combine(harness.Root, "lineage", "pending.ndjson"));
        pending.Select(l => JsonNode.Parse(l)!["eventType"]!.GetValue<string>()).ShouldBe(["START", "COMPLETE"]);
        foreach (var line in pending)
        {
            OpenLineageSchema.Problems(JsonNode.Parse(line)!).ShouldBeEmpty();
        }
    }
}
