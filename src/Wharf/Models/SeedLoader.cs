using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Models;

/// <summary>
/// Loads seeds as pipelines of one CSV file each (mode replace), so a seed takes the same path
/// as every load: types inferred as for files, the lake, the audit row, one transaction.
/// </summary>
internal static class SeedLoader
{
    /// <summary>The connection the seed pipelines read from: the project folder.</summary>
    public const string Connection = "_seeds";

    public static async Task<IReadOnlyList<RunRecord>> LoadAsync(
        Project project, IReadOnlyList<Seed> seeds, string defaultSchema, IWarehouse warehouse, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (seeds.Count == 0)
        {
            return [];
        }

        var pipelines = seeds.Select(seed => new PipelineSettings
        {
            Name = seed.Name,
            Source = Connection,
            Files = [seed.File],
            Format = FileFormat.Csv,
            Table = seed.Name,
            Schema = seed.Schema ?? defaultSchema,
            Mode = WriteMode.Replace,
            Location = new SourceLocation(seed.File, 0, 0),
        }).ToImmutableArray();
        var seedProject = project with
        {
            Connections = [new ConnectionSettings(Connection, "files") { Path = project.Directory }],
            Pipelines = pipelines,
        };
        var summary = await new Runner(seedProject, warehouse, time, logger).RunAsync([.. pipelines.Select(p => p.Name)], null, cancellationToken);
        return summary.Streams;
    }
}
