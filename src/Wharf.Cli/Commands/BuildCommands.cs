using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Wharf.Models;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary>
/// <c>wharf build</c> (seeds, models and their tests in DAG order), <c>wharf compile</c> (the SQL
/// without running it) and <c>wharf seed</c> (the CSV seeds alone).
/// </summary>
internal static class BuildCommands
{
    private static Option<string[]> Select() => new("--select", "-s")
    {
        Description = "What to build: a name, +name (with what it reads), name+ (with what reads it), tag:x, path:models/marts, stg_*; several at once.",
        AllowMultipleArgumentsPerToken = true,
        HelpName = "SELECTOR",
    };

    private static Option<string[]> Vars() => new("--var")
    {
        Description = "Set var('KEY') for this build (repeatable): --var start_date=2024-01-01.",
        HelpName = "KEY=VALUE",
    };

    public static Command Build()
    {
        var select = Select();
        var vars = Vars();
        var fullRefresh = new Option<bool>("--full-refresh") { Description = "Rebuild incremental models from scratch." };
        var withPipelines = new Option<bool>("--with-pipelines") { Description = "First run the pipelines whose tables the selected models read with source()." };
        var command = new Command("build", "Load the seeds, build the models in dependency order and run their tests.") { select, vars, fullRefresh, withPipelines };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var (project, models) = await LoadAsync(parse, cancellationToken);
            using var logging = CommandRunner.Logging(parse);
            using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TimeSpan.Zero, cancellationToken);
            var builder = new ModelBuilder(project, models, warehouse, TimeProvider.System, logging.CreateLogger("wharf.build"))
            {
                FullRefresh = parse.GetValue(fullRefresh),
                Vars = ParseVars(parse.GetValue(vars)),
            };
            var selectors = parse.GetValue(select) ?? [];
            if (parse.GetValue(withPipelines) && await RunPipelinesAsync(project, builder, selectors, warehouse, logging.CreateLogger("wharf.run"), cancellationToken) is { } failed)
            {
                return failed;
            }

            var summary = await builder.BuildAsync(selectors, new Progress<BuildResult>(r => WriteResult(r)), cancellationToken);
            WriteSummary(summary);
            return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    public static Command Compile()
    {
        var select = Select();
        var vars = Vars();
        var command = new Command("compile", "Print the SQL of the models (templates rendered, refs resolved) without running it; also written to target/compiled/.") { select, vars };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var (project, models) = await LoadAsync(parse, cancellationToken);
            using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TimeSpan.Zero, cancellationToken);
            var builder = new ModelBuilder(project, models, warehouse, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) { Vars = ParseVars(parse.GetValue(vars)) };
            foreach (var model in await builder.CompileAsync(parse.GetValue(select) ?? [], cancellationToken))
            {
                Console.Out.WriteLine($"-- {model.Model.Name} ({model.Model.File}): {ModelConfig.Name(model.Config.Materialized)} {model.Relation.Display}");
                Console.Out.WriteLine(model.Sql.TrimEnd());
                Console.Out.WriteLine();
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Seed()
    {
        var select = Select();
        var command = new Command("seed", "Load the CSV files under seeds/ into tables of their names (and run their tests).") { select };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var (project, models) = await LoadAsync(parse, cancellationToken);
            if (models.Seeds.IsEmpty)
            {
                throw new UsageException($"there are no seeds: put CSV files under {string.Join(", ", project.Models.SeedPaths)}/.");
            }

            using var logging = CommandRunner.Logging(parse);
            using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TimeSpan.Zero, cancellationToken);
            var seedsOnly = models with { Models = [], Tests = [] };
            var builder = new ModelBuilder(project, seedsOnly, warehouse, TimeProvider.System, logging.CreateLogger("wharf.seed"));
            var summary = await builder.BuildAsync(parse.GetValue(select) ?? [], new Progress<BuildResult>(r => WriteResult(r)), cancellationToken);
            WriteSummary(summary);
            return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    private static async Task<(Project, ModelProject)> LoadAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
        var models = await ModelProjectReader.ReadAsync(project, cancellationToken);
        if (models.IsEmpty)
        {
            throw new UsageException($"the project has no models ({string.Join(", ", project.Models.ModelPaths)}/*.sql) and no seeds ({string.Join(", ", project.Models.SeedPaths)}/*.csv).");
        }

        return (project, models);
    }

    /// <summary>Runs the pipelines named by the selected models' source() calls; the exit code when one failed.</summary>
    private static async Task<int?> RunPipelinesAsync(Project project, ModelBuilder builder, IReadOnlyList<string> selectors, IWarehouse warehouse, Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellationToken)
    {
        var names = (await builder.SourcesAsync(selectors, cancellationToken)).Where(n => project.Pipelines.Any(p => p.Name == n)).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var summary = await new Runner(project, warehouse, TimeProvider.System, logger).RunAsync(names, null, cancellationToken);
        foreach (var stream in summary.Streams)
        {
            CommandRunner.Out.MarkupLine($"{(stream.Status == Runs.RunStatus.Succeeded ? "[green]ok[/]" : "[red]failed[/]")}  pipeline {Markup.Escape(stream.Pipeline)}.{Markup.Escape(stream.Stream)}: {stream.RowsLoaded:N0} rows{(stream.Error is null ? "" : " — " + Markup.Escape(stream.Error))}");
        }

        return summary.Succeeded ? null : ExitCodes.Failed;
    }

    internal static Dictionary<string, string> ParseVars(string[]? given)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in given ?? [])
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                throw new UsageException($"--var '{pair}' must be KEY=VALUE, e.g. --var start_date=2024-01-01.");
            }

            vars[pair[..at]] = pair[(at + 1)..];
        }

        return vars;
    }

    private static void WriteResult(BuildResult result)
    {
        var (mark, color) = result.Status switch
        {
            BuildStatus.Succeeded => ("ok", "green"),
            BuildStatus.Warned => ("warn", "yellow"),
            BuildStatus.Skipped => ("skip", "grey"),
            _ => ("fail", "red"),
        };
        var record = result.Record;
        var what = record is null ? "" : result.Kind switch
        {
            "model" when record.Mode == "view" => $"view {record.Target}",
            "model" when record.Mode == "ephemeral" => "ephemeral",
            "model" or "seed" => $"{record.Mode} {record.Target}: {record.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture)} rows",
            "export" => $"{record.Mode} {ProjectLoader.Display(record.Target)}: {record.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture)} rows",
            _ => "",
        };
        var tests = record is null || record.Checks.IsEmpty ? "" : $"{(what.Length == 0 ? "" : ", ")}{record.Checks.Count(c => c.Status == Quality.CheckStatus.Passed)}/{record.Checks.Length} tests passed";
        var time = record is null ? "" : $" ({record.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s)";
        CommandRunner.Out.MarkupLine($"[{color}]{mark,-4}[/] {result.Kind,-5} {Markup.Escape(result.Name)}  {Markup.Escape(what + tests)}{time}");
        var warnings = record?.Checks.Where(c => c.Status == Quality.CheckStatus.Warned).Select(c => $"{c.Name}: {c.Message}") ?? [];
        foreach (var message in new[] { result.Message }.OfType<string>().Where(_ => result.Status != BuildStatus.Succeeded).Concat(warnings))
        {
            CommandRunner.Out.MarkupLine($"     [{color}]{Markup.Escape(message)}[/]");
        }
    }

    private static void WriteSummary(BuildSummary summary)
    {
        var counts = summary.Results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        CommandRunner.Out.MarkupLine($"{(summary.Succeeded ? "[green]Build succeeded[/]" : "[red]Build failed[/]")}: {string.Join(", ", counts)} in {summary.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s.");
    }
}
