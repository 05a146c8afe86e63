using System.CommandLine;
using Wharf.Lineage;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf lineage [NODE] [--upstream|--downstream] [--format text|json|mermaid|dot]</c>.</summary>
internal static class LineageCommand
{
    public static Command Create()
    {
        var node = new Argument<string?>("node") { Description = "A table (main.orders or orders), model, seed or pipeline: show what it comes from and what it feeds (default: everything).", Arity = ArgumentArity.ZeroOrOne };
        var upstream = new Option<bool>("--upstream") { Description = "Only what NODE comes from." };
        var downstream = new Option<bool>("--downstream") { Description = "Only what NODE feeds." };
        var format = new Option<string>("--format", "-f") { Description = "text (an indented tree), json, mermaid or dot.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "mermaid", "dot");
        var command = new Command("lineage", "Show where the data comes from and where it goes: sources → lake → tables → models.") { node, upstream, downstream, format };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
            var models = await ModelProjectReader.ReadAsync(project, cancellationToken);
            var graph = LineageReader.Build(project, models, await RunsAsync(project, cancellationToken));
            var name = parse.GetValue(node);
            var up = parse.GetValue(upstream);
            var down = parse.GetValue(downstream);
            if (name is not null)
            {
                var start = graph.Match(name);
                if (start.Count == 0)
                {
                    throw new UsageException($"no table, model, seed or pipeline stream is named '{name}'. Run 'wharf lineage' to see them all.");
                }

                graph = graph.Around(start, upstream: up || !down, downstream: down || !up);
            }

            Console.Out.Write(parse.GetValue(format) switch
            {
                "json" => LineageFormat.Json(graph) + "\n",
                "mermaid" => LineageFormat.Mermaid(graph),
                "dot" => LineageFormat.Dot(graph),
                _ => LineageFormat.Text(graph, upstream: up && !down),
            });
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>What the runs recorded, when the warehouse exists (lineage of a project never run is what wharf.yml declares).</summary>
    private static async Task<IReadOnlyList<RunRecord>> RunsAsync(Project project, CancellationToken cancellationToken)
    {
        try
        {
            using var warehouse = await WarehouseFactory.OpenExistingAsync(project.Warehouse, TimeProvider.System, cancellationToken);
            return await warehouse.ListRunsAsync(100_000, null, cancellationToken);
        }
        catch (WarehouseNotFoundException)
        {
            return [];
        }
    }
}
