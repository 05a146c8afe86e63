using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Wharf.Cli.Rendering;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Server.Api;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf check [PIPELINE...]</c>: runs the declared checks on what the warehouse holds, without loading.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var pipelines = new Argument<string[]>("pipelines")
        {
            Description = "Pipelines whose tables to check (default: all).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var format = CommonOptions.Format(OutputFormat.Table, "table or json.");
        var command = new Command("check", "Run the pipelines' checks on the warehouse tables as they are now (nothing is extracted or loaded).") { pipelines, format };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
            var names = parse.GetValue(pipelines) ?? [];
            CommandRunner.RequirePipelines(project, names);

            using var warehouse = await WarehouseFactory.OpenExistingAsync(project.Warehouse, TimeProvider.System, cancellationToken);
            var records = await new WarehouseChecks(project, warehouse, TimeProvider.System).RunAsync(names, cancellationToken);
            var succeeded = records.All(r => r.Status == Runs.RunStatus.Succeeded);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { succeeded, tables = records.Select(RunRecordJson.From) }, JsonOutput.Options));
                return succeeded ? ExitCodes.Success : ExitCodes.Failed;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("pipeline").AddColumn("table").AddColumn("check").AddColumn("status")
                .AddColumn(new TableColumn("failing").RightAligned()).AddColumn(new TableColumn("rows").RightAligned()).AddColumn("result");
            foreach (var record in records)
            {
                foreach (var check in record.Checks)
                {
                    table.AddRow(
                        Markup.Escape(record.Pipeline), Markup.Escape(record.Target), Markup.Escape(check.Name), CheckSummary.Status(check.Status),
                        check.FailingRows.ToString("N0", CultureInfo.InvariantCulture), check.CheckedRows.ToString("N0", CultureInfo.InvariantCulture),
                        Markup.Escape(check.Message));
                }
            }

            CommandRunner.Out.Write(table);
            foreach (var failed in records.Where(r => r.Status != Runs.RunStatus.Succeeded))
            {
                Console.Error.WriteLine($"error: {failed.Error}");
            }

            CommandRunner.Out.MarkupLine(records.Count == 0
                ? "[grey]No checks declared for these pipelines (add 'checks:' in wharf.yml).[/]"
                : succeeded ? $"[green]All checks passed or warned[/] on {records.Count} table(s)." : "[red]Some checks failed.[/]");
            return succeeded ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }
}
