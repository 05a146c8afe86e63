using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Wharf.IntegrationTests.Lineage;

/// <summary>OpenLineage's own JSON schemas (kept in Lineage/schema/): an event and each facet it carries must validate.</summary>
internal static class OpenLineageSchema
{
    private static readonly BuildOptions Options = new() { SchemaRegistry = new SchemaRegistry() };
    private static readonly Lazy<(JsonSchema RunEvent, Dictionary<string, JsonSchema> Facets)> Schemas = new(Load);

    /// <summary>What is wrong with the event (empty when it is valid).</summary>
    public static List<string> Problems(JsonNode @event)
    {
        var (runEvent, facets) = Schemas.Value;
        var problems = Check(runEvent, @event, "event");
        foreach (var (path, facetsNode) in FacetObjects(@event))
        {
            foreach (var (name, facet) in facetsNode)
            {
                if (facets.TryGetValue(name, out var schema))
                {
                    problems.AddRange(Check(schema, new JsonObject { [name] = facet!.DeepClone() }, $"{path}.{name}"));
                }
                else
                {
                    problems.Add($"{path}.{name}: a facet this test has no schema for");
                }
            }
        }

        return problems;
    }

    private static IEnumerable<(string Path, JsonObject Facets)> FacetObjects(JsonNode @event)
    {
        if (@event["run"]?["facets"] is JsonObject run)
        {
            yield return ("run.facets", run);
        }

        if (@event["job"]?["facets"] is JsonObject job)
        {
            yield return ("job.facets", job);
        }

        foreach (var side in new[] { "inputs", "outputs" })
        {
            foreach (var dataset in @event[side]?.AsArray() ?? [])
            {
                if (dataset?["facets"] is JsonObject facets)
                {
                    yield return ($"{side}.facets", facets);
                }

                if (dataset?["outputFacets"] is JsonObject output)
                {
                    yield return ($"{side}.outputFacets", output);
                }
            }
        }
    }

    private static List<string> Check(JsonSchema schema, JsonNode node, string what)
    {
        using var document = JsonDocument.Parse(node.ToJsonString());
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List });
        return result.IsValid ? [] : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{what} {d.InstanceLocation}: {e.Value}")).DefaultIfEmpty($"{what}: invalid")];
    }

    private static (JsonSchema, Dictionary<string, JsonSchema>) Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Lineage", "schema");
        JsonSchema.FromFile(Path.Combine(folder, "OpenLineage.json"), Options);
        var runEvent = JsonSchema.FromText("""{ "$ref": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent" }""", Options);
        var facets = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (var (name, file) in new[]
        {
            ("sql", "SQLJobFacet"), ("jobType", "JobTypeJobFacet"), ("errorMessage", "ErrorMessageRunFacet"),
            ("schema", "SchemaDatasetFacet"), ("dataSource", "DatasourceDatasetFacet"), ("outputStatistics", "OutputStatisticsOutputDatasetFacet"),
        })
        {
            facets[name] = JsonSchema.FromFile(Path.Combine(folder, file + ".json"), Options);
        }

        return (runEvent, facets);
    }
}
