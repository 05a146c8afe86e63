using Wharf.Models;
using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.Lineage;

/// <summary>
/// Builds the lineage of a project: each pipeline's source → lake stream → table (the streams
/// and tables its runs really had, else what wharf.yml declares), seeds → their tables, and each
/// model's refs and sources → its relation.
/// </summary>
internal static class LineageReader
{
    public static LineageGraph Build(Project project, ModelProject? models, IReadOnlyList<RunRecord> runs)
    {
        ArgumentNullException.ThrowIfNull(project);
        var graph = new LineageGraph();
        foreach (var pipeline in project.Pipelines)
        {
            AddPipeline(graph, project, pipeline, runs);
        }

        if (models is not null && !models.IsEmpty)
        {
            AddModels(graph, project, models);
        }

        foreach (var export in project.Exports)
        {
            var file = Path.GetRelativePath(project.Directory, export.To).Replace(Path.DirectorySeparatorChar, '/');
            var node = graph.Add(new LineageNode($"export:{file}", LineageKind.Export, file, $"export {export.Name} ({ExportFormats.Extension(export.Format).TrimStart('.')})"));
            if (export.QualifiedTable is { } name)
            {
                graph.Link(graph.Add(new LineageNode($"table:{name}", LineageKind.Table, name)), node);
            }
        }

        return graph;
    }

    private static void AddPipeline(LineageGraph graph, Project project, PipelineSettings pipeline, IReadOnlyList<RunRecord> runs)
    {
        var connection = project.Connection(pipeline.Source);
        var loaded = runs.Where(r => r.Pipeline == pipeline.Name && r.Kind == RunRecord.LoadKind && r.Mode != "check" && r.Target.Length > 0)
            .Select(r => (r.Stream, r.Target)).Distinct().ToList();
        if (loaded.Count == 0)
        {
            loaded.Add(pipeline.Tables.IsEmpty ? (pipeline.Table, $"{pipeline.Schema}.{pipeline.Table}") : (string.Join(", ", pipeline.Tables), $"{pipeline.Schema}.*"));
        }

        foreach (var (stream, target) in loaded)
        {
            var read = pipeline.Query is not null ? $"query of pipeline {pipeline.Name}"
                : !pipeline.Files.IsEmpty ? string.Join(", ", pipeline.Files)
                : stream;
            var source = graph.Add(new LineageNode($"source:{connection.Name}:{read}", LineageKind.Source, read, $"{connection.Type} connection {connection.Name}"));
            var lake = graph.Add(new LineageNode($"lake:{pipeline.Name}/{stream}", LineageKind.Lake, $"{pipeline.Name}/{stream}", $"lake stream of pipeline {pipeline.Name}"));
            var table = graph.Add(new LineageNode($"table:{target}", LineageKind.Table, target, $"loaded by pipeline {pipeline.Name} ({pipeline.Mode.ToString().ToLowerInvariant()})"));
            graph.Link(source, lake);
            graph.Link(lake, table);
        }
    }

    private static void AddModels(LineageGraph graph, Project project, ModelProject models)
    {
        var type = project.Warehouse.Kind == WarehouseKind.Postgres ? "postgres" : "duckdb";
        var compiler = new ModelCompiler(models, project.Pipelines, new ModelTarget(type, models.DefaultSchema));
        foreach (var seed in models.Seeds)
        {
            var file = graph.Add(new LineageNode($"seed:{seed.File}", LineageKind.Seed, seed.File, "seed"));
            graph.Link(file, graph.Add(new LineageNode(TableId(compiler.RelationOf(seed.Name)), LineageKind.Table, compiler.RelationOf(seed.Name).Display, $"seed {seed.Name}")));
        }

        foreach (var model in models.Models.Where(compiler.IsEnabled))
        {
            var parsed = compiler.Parse(model);
            var relation = compiler.RelationOf(model.Name);
            var node = graph.Add(new LineageNode(TableId(relation), LineageKind.Model, relation.Display, $"{ModelConfig.Name(parsed.Config.Materialized)} model, {model.File}"));
            foreach (var reference in parsed.Refs)
            {
                var upstream = compiler.RelationOf(reference);
                graph.Link(graph.Add(new LineageNode(TableId(upstream), LineageKind.Table, upstream.Display)), node);
            }

            foreach (var (source, table) in parsed.Sources)
            {
                var upstream = compiler.Resolve($"source('{source}', '{table}')");
                graph.Link(graph.Add(new LineageNode(TableId(upstream), LineageKind.Table, upstream.Display, $"source {source}.{table}")), node);
            }
        }
    }

    private static string TableId(Relation relation) => $"table:{relation.Display}";
}
