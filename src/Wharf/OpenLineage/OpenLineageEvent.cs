using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Wharf.OpenLineage;

/// <summary>
/// OpenLineage run events (spec 2-0-2) as JSON: the run, the job, input and output datasets, and
/// the standard facets Wharf fills (schema, data source, output statistics, SQL, job type, error).
/// </summary>
internal static class OpenLineageEvent
{
    public const string Producer = "https://github.com/wharf-etl/wharf";
    private const string Spec = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
    private const string Facets = "https://openlineage.io/spec/facets/";

    /// <summary>An OpenLineage dataset: <paramref name="Namespace"/> the data source (<c>postgres://host:5432</c>), <paramref name="Name"/> the table or file in it.</summary>
    public sealed record Dataset(string Namespace, string Name)
    {
        public IReadOnlyList<(string Name, string Type)> Fields { get; init; } = [];

        /// <summary>For an output: rows written.</summary>
        public long? Rows { get; init; }
    }

    /// <summary>The run's id as a UUID, the same for every event of one Wharf run of one stream (or model).</summary>
    public static Guid RunId(string wharfRunId, string job)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{wharfRunId}/{job}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5 layout: a name-based UUID
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    public static JsonObject Run(
        string eventType, DateTimeOffset time, Guid runId, string jobNamespace, string jobName, string jobType,
        IEnumerable<Dataset> inputs, IEnumerable<Dataset> outputs, string? sql = null, string? sqlDialect = null, string? error = null)
    {
        var jobFacets = new JsonObject
        {
            ["jobType"] = Facet("2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet", new JsonObject
            {
                ["processingType"] = "BATCH",
                ["integration"] = "WHARF",
                ["jobType"] = jobType,
            }),
        };
        if (sql is not null)
        {
            var facet = new JsonObject { ["query"] = sql };
            if (sqlDialect is not null)
            {
                facet["dialect"] = sqlDialect;
            }

            jobFacets["sql"] = Facet("1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet", facet);
        }

        var run = new JsonObject { ["runId"] = runId.ToString() };
        if (error is not null)
        {
            run["facets"] = new JsonObject
            {
                ["errorMessage"] = Facet("1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet", new JsonObject
                {
                    ["message"] = error,
                    ["programmingLanguage"] = "C#",
                }),
            };
        }

        return new JsonObject
        {
            ["eventType"] = eventType,
            ["eventTime"] = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["run"] = run,
            ["job"] = new JsonObject { ["namespace"] = jobNamespace, ["name"] = jobName, ["facets"] = jobFacets },
            ["inputs"] = new JsonArray([.. inputs.Select(d => (JsonNode)DatasetNode(d, output: false))]),
            ["outputs"] = new JsonArray([.. outputs.Select(d => (JsonNode)DatasetNode(d, output: true))]),
            ["producer"] = Producer,
            ["schemaURL"] = Spec,
        };
    }

    private static JsonObject DatasetNode(Dataset dataset, bool output)
    {
        var facets = new JsonObject
        {
            ["dataSource"] = Facet("1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet", new JsonObject
            {
                ["name"] = dataset.Namespace,
                ["uri"] = dataset.Namespace,
            }),
        };
        if (dataset.Fields.Count > 0)
        {
            facets["schema"] = Facet("1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet", new JsonObject
            {
                ["fields"] = new JsonArray([.. dataset.Fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["type"] = f.Type })]),
            });
        }

        var node = new JsonObject { ["namespace"] = dataset.Namespace, ["name"] = dataset.Name, ["facets"] = facets };
        if (output && dataset.Rows is { } rows)
        {
            node["outputFacets"] = new JsonObject
            {
                ["outputStatistics"] = Facet("1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet", new JsonObject { ["rowCount"] = rows }),
            };
        }

        return node;
    }

    private static JsonObject Facet(string schema, JsonObject fields)
    {
        fields["_producer"] = Producer;
        fields["_schemaURL"] = Facets + schema;
        return fields;
    }
}
