using System.CommandLine;
using Wharf.Docs;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf docs --out DIR</c>: the project's documentation as a static site.</summary>
internal static class DocsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "The folder to write the site to.", DefaultValueFactory = _ => "target/docs", HelpName = "DIR" };
        var command = new Command("docs", "Write a static site of the project: models, seeds, sources and tables with their columns, tests, SQL and lineage.") { output };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
            var models = await ModelProjectReader.ReadAsync(project, cancellationToken);
            var folder = Path.GetFullPath(Path.Combine(Environment.CurrentDirectory, parse.GetValue(output)!));
            IWarehouse? warehouse = null;
            IReadOnlyList<RunRecord> runs = [];
            try
            {
                warehouse = await WarehouseFactory.OpenExistingAsync(project.Warehouse, TimeProvider.System, cancellationToken);
                runs = await warehouse.ListRunsAsync(100_000, null, cancellationToken);
            }
            catch (WarehouseNotFoundException)
            {
                // Not built yet: the site shows what the project declares, without column types or results.
            }

            using (warehouse)
            {
                var pages = await new DocsSite(project, models, warehouse, runs).WriteAsync(folder, cancellationToken);
                Console.Out.WriteLine($"Wrote {pages} pages to {ProjectLoader.Display(folder)}; open {ProjectLoader.Display(Path.Combine(folder, "index.html"))}.");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
