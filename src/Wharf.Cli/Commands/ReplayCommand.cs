using System.CommandLine;
using System.Globalization;
using Wharf.Cli.Rendering;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf replay PIPELINE [--run ID | --since DATE]</c>: reloads tables from the lake, without the source.</summary>
internal static class ReplayCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string>("pipeline") { Description = "The pipeline whose tables to reload." };
        var run = new Option<string?>("--run") { Description = "Reapply this run and every later one over the tables (idempotent)." };
        var since = new Option<string?>("--since") { Description = "Reapply the runs started at or after this UTC date or time (e.g. 2026-11-01 or 2026-11-01T12:00), over the tables." };
        var format = CommonOptions.Format(OutputFormat.Table, "How to print the summary: table or json.");
        var command = new Command("replay", "Rebuild a pipeline's tables from its lake files alone (all runs, in order), or reapply some runs.") { pipeline, run, since, format };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
            var name = parse.GetValue(pipeline)!;
            CommandRunner.RequirePipelines(project, [name]);

            if (parse.GetValue(run) is not null && parse.GetValue(since) is not null)
            {
                throw new UsageException("Give --run or --since, not both.");
            }

            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                from = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                    ? parsed
                    : throw new UsageException($"--since '{text}' is not a date or time; use e.g. 2026-11-01 or 2026-11-01T12:00 (UTC).");
            }

            using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, cancellationToken);
            var summary = await new Replayer(project, warehouse, TimeProvider.System).ReplayAsync(name, new Replayer.Selection(parse.GetValue(run), from), cancellationToken);
            if (parse.GetValue(format) == OutputFormat.Json)
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
