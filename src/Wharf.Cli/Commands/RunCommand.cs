using System.CommandLine;
using Wharf.Cli.Rendering;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf run [PIPELINE...]</c>: runs pipelines end to end; <c>wharf run --source …</c>: one source without a project file.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var pipelines = new Argument<string[]>("pipelines")
        {
            Description = "Pipelines to run (default: all, in the order of wharf.yml).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var format = CommonOptions.Format(OutputFormat.Table, "How to print the summary (or the --dry-run plan): table (with live progress) or json.");
        var fullRefresh = new Option<bool>("--full-refresh")
        {
            Description = "Ignore saved watermarks and snapshots: extract everything and rebuild the pipelines' tables.",
        };
        var wait = new Option<int>("--wait")
        {
            Description = "When another run of the same pipeline (or another process on the DuckDB warehouse) is busy, wait up to this many seconds instead of stopping.",
            DefaultValueFactory = _ => 0,
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Print what would be extracted (connection, streams, files, query, mode, where a cursor starts) and where it would go, without writing anything.",
        };
        var variables = VariableOption.Create();
        var sourceOptions = new SourceOptions();
        var command = new Command("run", "Extract, land in the lake and load every (or the named) pipeline; with --source, one source without a project file.")
        {
            pipelines, format, fullRefresh, wait, dryRun, variables,
        };
        foreach (var option in sourceOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var names = parse.GetValue(pipelines) ?? [];
            var directory = parse.GetValue(CommonOptions.Project)!;
            Project project;
            if (sourceOptions.IsGiven(parse))
            {
                project = OneLine(parse, sourceOptions, names, directory);
            }
            else
            {
                RejectSourceOnly(parse, sourceOptions, names);
                project = await ProjectLoader.LoadAsync(directory, VariableOption.Environment(parse, variables), cancellationToken);
                CommandRunner.RequirePipelines(project, names);
            }

            if (parse.GetValue(dryRun))
            {
                return await DryRunAsync(project, names, parse.GetValue(fullRefresh), parse.GetValue(format) == OutputFormat.Json, cancellationToken);
            }

            using var logging = CommandRunner.Logging(parse);
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

    /// <summary><c>--dry-run</c>: prints what the run would extract and where it would go; writes nothing.</summary>
    private static async Task<int> DryRunAsync(Project project, string[] names, bool fullRefresh, bool json, CancellationToken cancellationToken)
    {
        var plan = await new RunPlanner(project) { FullRefresh = fullRefresh }.PlanAsync(names, cancellationToken);
        if (json)
        {
            RunPlanWriter.WriteJson(Console.Out, plan);
        }
        else
        {
            RunPlanWriter.WriteText(CommandRunner.Out, plan);
        }

        return plan.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>The project of a <c>--source</c> run, which takes no pipeline names and no wharf.yml.</summary>
    private static Project OneLine(ParseResult parse, SourceOptions options, string[] names, string directory)
    {
        if (names.Length > 0)
        {
            // An unquoted glob (--source data/*.csv) arrives as several files, the later ones as pipeline names.
            var expanded = names.Any(File.Exists) ? " If your shell expanded a glob into several files, quote it: --source 'data/*.csv'." : "";
            throw new UsageException(
                $"--source runs the one pipeline its options describe, so it takes no pipeline names (got {string.Join(", ", names.Select(n => $"'{ConnectionUrl.Redact(n)}'"))}). " +
                $"Drop them, or run a project's pipelines without --source.{expanded}");
        }

        var file = Path.Combine(Path.GetFullPath(directory), Project.FileName);
        if (File.Exists(file))
        {
            throw new UsageException(
                $"--source runs without a project file, but {ProjectLoader.Display(file)} declares this folder's pipelines, which a --source run would not use. " +
                "Run them with 'wharf run', or run the --source command in another folder (or with --project DIR).");
        }

        return options.Build(parse, directory);
    }

    /// <summary>Fails when an option of a <c>--source</c> run is given without <c>--source</c>, or a source is given as a pipeline name.</summary>
    private static void RejectSourceOnly(ParseResult parse, SourceOptions options, string[] names)
    {
        if (names.FirstOrDefault(n => n.Contains("://", StringComparison.Ordinal) || n.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)) is { } url)
        {
            throw new UsageException($"'{ConnectionUrl.Redact(url)}' is a source, not a pipeline name: pass it as --source, with --query, --tables or --files.");
        }

        if (options.OtherGiven(parse) is { } option)
        {
            throw new UsageException($"{option} is for a run without a project file: add --source URL_OR_PATH, or set it in {Project.FileName}.");
        }
    }
}
