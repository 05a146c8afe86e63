using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Wharf.Cli.Rendering;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Server.Api;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf runs</c>: the audit trail from <c>_wharf.runs</c>.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var last = new Option<int>("--last", "-n") { Description = "How many runs to show, newest first.", DefaultValueFactory = _ => 20 };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only this pipeline's runs." };
        var format = CommonOptions.Format(OutputFormat.Table, "table or json.");
        var warehouseOption = WarehouseOption.Create();
        var command = new Command("runs", "List recent runs: what ran, when, how many rows, and how it ended.") { last, pipeline, format, warehouseOption };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var count = parse.GetValue(last);
            if (count <= 0)
            {
                throw new UsageException("--last must be a positive number.");
            }

            var settings = await WarehouseOption.ResolveAsync(parse, warehouseOption, cancellationToken);
            using var warehouse = await WarehouseFactory.OpenExistingAsync(settings, TimeProvider.System, cancellationToken);
            var runs = await warehouse.ListRunsAsync(count, parse.GetValue(pipeline), cancellationToken);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(runs.Select(RunRecordJson.From), JsonOutput.Options));
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("run id").AddColumn("pipeline").AddColumn("table").AddColumn("started (UTC)").AddColumn("status")
                .AddColumn(new TableColumn("rows").RightAligned()).AddColumn(new TableColumn("seconds").RightAligned()).AddColumn("error");
            foreach (var r in runs)
            {
                table.AddRow(
                    Markup.Escape(r.RunId), Markup.Escape(r.Pipeline), Markup.Escape(r.Target),
                    r.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    r.Status == RunStatus.Succeeded ? "[green]succeeded[/]" : $"[red]{r.Status.ToString().ToLowerInvariant()}[/]",
                    r.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture),
                    r.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
                    Markup.Escape(Shorten(r.Error)));
            }

            CommandRunner.Out.Write(table);
            CommandRunner.Out.MarkupLine(runs.Count == 0 ? "[grey]No runs yet: run 'wharf run'.[/]" : $"[grey]{runs.Count} run(s); --format json shows errors in full.[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Shorten(string? error) => error is null ? "" : error.Length <= 80 ? error : error[..77] + "...";
}
