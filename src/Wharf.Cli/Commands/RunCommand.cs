using System.CommandLine;
using Wharf.Cli.Rendering;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf run [PIPELINE...]</c>: runs pipelines end to end.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var pipelines = new Argument<string[]>("pipelines")
        {
            Description = "Pipelines to run (default: all, in the order of wharf.yml).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var format = CommonOptions.Format(OutputFormat.Table, "How to print the summary: table (with live progress) or json.");
        var fullRefresh = new Option<bool>("--full-refresh")
        {
            Description = "Ignore saved watermarks and snapshots: extract everything and rebuild the pipelines' tables.",
        };
        var wait = new Option<int>("--wait")
        {
            Description = "When another run of the same pipeline (or another process on the DuckDB warehouse) is busy, wait up to this many seconds instead of stopping.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("run", "Extract, land in the lake and load every (or the named) pipeline.") { pipelines, format, fullRefresh, wait };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
            var names = parse.GetValue(pipelines) ?? [];
            CommandRunner.RequirePipelines(project, names);

            using var logging = CommandRunner.Logging(parse.GetValue(CommonOptions.Verbose));
            var patience = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(wait)));
            using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, patience, cancellationToken);
            var runner = new Runner(project, warehouse, TimeProvider.System, logging.CreateLogger("wharf.run"))
            {
                FullRefresh = parse.GetValue(fullRefresh),
                WaitForLock = patience,
            };
            var json = parse.GetValue(format) == OutputFormat.Json;
            var summary = json
                ? await runner.RunAsync(names, null, cancellationToken)
                : await RunProgress.ShowAsync(CommandRunner.Out, progress => runner.RunAsync(names, progress, cancellationToken));
            if (json)
            {
                RunSummaryWriter.WriteJson(Console.Out, summary);
            }
            else
            {
                RunSummaryWriter.WriteTable(CommandRunner.Out, summary);
            }

            return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }
}
