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
        var runId = new Argument<string?>("run-id") { Description = "Show this run in full: its streams, stage times, memory, checks, lake files and error.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("runs", "List recent runs: what ran, when, how many rows, and how it ended; or one run in full.") { runId, last, pipeline, format, warehouseOption };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(runId) is { } id)
            {
                return await ShowAsync(parse, warehouseOption, id, parse.GetValue(format), cancellationToken);
            }

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

    /// <summary>Rows of the audit read to find one run: the runs API's window.</summary>
    private const int SearchWindow = 10_000;

    private static async Task<int> ShowAsync(ParseResult parse, Option<string?> warehouseOption, string id, OutputFormat format, CancellationToken cancellationToken)
    {
        var settings = await WarehouseOption.ResolveAsync(parse, warehouseOption, cancellationToken);
        using var warehouse = await WarehouseFactory.OpenExistingAsync(settings, TimeProvider.System, cancellationToken);
        var streams = (await warehouse.ListRunsAsync(SearchWindow, null, cancellationToken)).Where(r => r.RunId == id).OrderBy(r => r.StartedAt).ToList();
        if (streams.Count == 0)
        {
            throw new UsageException($"There is no run '{id}' in _wharf.runs. 'wharf runs' lists the recent ones.");
        }

        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new { run_id = id, streams = streams.Select(RunRecordJson.From) }, JsonOutput.Options));
            return ExitCodes.Success;
        }

        var first = streams[0];
        CommandRunner.Out.MarkupLine($"[bold]{Markup.Escape(id)}[/]  pipeline {Markup.Escape(first.Pipeline)}, started {first.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC by {Markup.Escape(first.StartedBy ?? "?")} on {Markup.Escape(first.Host ?? "?")} (Wharf {Markup.Escape(first.WharfVersion ?? "?")})");
        foreach (var r in streams)
        {
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string name, string value) => grid.AddRow($"[grey]{name}[/]", Markup.Escape(value));
            Row("status", r.Status.ToString().ToLowerInvariant());
            Row("source → target", $"{r.Source} → {r.Target} ({r.Mode})");
            Row("rows", $"{r.RowsExtracted:N0} extracted, {r.RowsLoaded:N0} loaded ({r.RowsInserted:N0} new, {r.RowsUpdated:N0} updated, {r.RowsDeleted:N0} deleted, {r.RowsUnchanged:N0} unchanged, {r.RowsQuarantined:N0} quarantined, {r.RowsDiscarded:N0} discarded)");
            Row("seconds", string.Create(CultureInfo.InvariantCulture,
                $"{r.Duration.TotalSeconds:F2}: extract {r.Times.Extract.TotalSeconds:F2}, land {r.Times.Land.TotalSeconds:F2}, stage/check {r.Times.Stage.TotalSeconds:F2}, load {r.Times.Load.TotalSeconds:F2}, commit {r.Times.Commit.TotalSeconds:F2}"));
            Row("memory, bytes", string.Create(CultureInfo.InvariantCulture, $"peak {r.PeakMemoryBytes / 1048576.0:F1} MiB; read {r.BytesRead:N0} B, written to the lake {r.BytesWritten:N0} B"));
            if (r.WatermarkBefore is not null || r.WatermarkAfter is not null)
            {
                Row("watermark", $"{r.WatermarkBefore ?? "(none)"} → {r.WatermarkAfter ?? "(none)"}");
            }

            foreach (var check in r.Checks)
            {
                Row("check", $"{check.Name} ({check.KindName}): {check.Status.ToString().ToLowerInvariant()}, {check.FailingRows:N0} of {check.CheckedRows:N0} rows");
            }

            foreach (var file in r.LakeFiles)
            {
                Row("lake file", file);
            }

            if (r.Error is not null)
            {
                Row("error", r.Error);
            }

            CommandRunner.Out.Write(new Panel(grid).Header(Markup.Escape(r.Stream)).Border(BoxBorder.Rounded));
        }

        return ExitCodes.Success;
    }

    private static string Shorten(string? error) => error is null ? "" : error.Length <= 80 ? error : error[..77] + "...";
}
