using System.CommandLine;
using System.Globalization;
using Wharf.Exports;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf export (TABLE | --query SQL | NAME) --to PATH [--format F] [--partition-by COL...] [--overwrite]</c>.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var table = new Argument<string?>("table") { Description = "The table or view to export (marts.kpi, or kpi in main), or the name of an export in wharf.yml.", Arity = ArgumentArity.ZeroOrOne };
        var query = new Option<string?>("--query", "-q") { Description = "Export the rows of this SQL query instead of a table." };
        var to = new Option<string?>("--to", "-o") { Description = "The file to write (a folder with --partition-by).", HelpName = "PATH" };
        var format = new Option<string?>("--format", "-f") { Description = $"One of {ExportFormats.Names}; default: from the file's extension." };
        var partitionBy = new Option<string[]>("--partition-by") { Description = "Split the rows into a folder per value, Hive-style (year=2024/…).", AllowMultipleArgumentsPerToken = true, HelpName = "COLUMN" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the file if it exists." };
        var command = new Command("export", "Write a table's or query's rows to csv, csv.gz, parquet, json, ndjson, xlsx, html or md, streamed from the warehouse.")
        {
            table, query, to, format, partitionBy, overwrite,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
            var request = Request(project, parse.GetValue(table), parse.GetValue(query), parse.GetValue(to), parse.GetValue(format), parse.GetValue(partitionBy) ?? [], parse.GetValue(overwrite));
            using var warehouse = await WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TimeSpan.Zero, cancellationToken);
            var record = await new Exporter(warehouse, TimeProvider.System).ExportAsync(request, cancellationToken);
            if (record.Error is { } error)
            {
                CommandRunner.WriteError(error);
                return ExitCodes.Failed;
            }

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Exported {record.RowsLoaded:N0} rows to {ProjectLoader.Display(request.Path)} ({record.Mode}) in {record.Duration.TotalSeconds:0.00} s."));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static ExportRequest Request(Project project, string? table, string? query, string? to, string? format, string[] partitionBy, bool overwrite)
    {
        // A name of wharf.yml's exports: that export, as declared (options may change where and how).
        if (table is not null && query is null && project.Exports.FirstOrDefault(e => e.Name == table) is { } declared)
        {
            var path = to is null ? declared.To : Path.GetFullPath(to);
            return new ExportRequest(declared.Name, declared.Table, declared.Query, path, Format(format, path) ?? declared.Format)
            {
                PartitionBy = partitionBy.Length > 0 ? [.. partitionBy] : declared.PartitionBy,
                Overwrite = true,
            };
        }

        if ((table is null) == (query is null))
        {
            throw new UsageException("say what to export: a TABLE (e.g. marts.kpi_monthly_revenue), --query SQL, or the name of an export in wharf.yml.");
        }

        if (to is null)
        {
            throw new UsageException("--to PATH is needed: the file to write (its extension gives the format, e.g. reports/kpi.xlsx).");
        }

        var file = Path.GetFullPath(to);
        var chosen = Format(format, file) ?? throw new UsageException($"say the format with --format ({ExportFormats.Names}), or end --to with its extension.");
        return new ExportRequest(table ?? Path.GetFileNameWithoutExtension(file), table, query, file, chosen) { PartitionBy = [.. partitionBy], Overwrite = overwrite };
    }

    private static ExportFormat? Format(string? format, string path) =>
        format is null ? ExportFormats.FromPath(path)
        : ExportFormats.Parse(format) ?? throw new UsageException($"--format {format} is not one of {ExportFormats.Names}.");
}
