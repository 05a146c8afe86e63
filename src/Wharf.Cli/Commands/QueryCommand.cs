using DuckDB.NET.Data;
using System.CommandLine;
using Wharf.Cli.Rendering;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf query SQL</c>: runs SQL against the warehouse.</summary>
internal static class QueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "The SQL to run against the warehouse." };
        var format = CommonOptions.Format(OutputFormat.Table, "table (for people), csv or json (for programs).");
        var warehouseOption = WarehouseOption.Create();
        var command = new Command("query", "Run SQL against the warehouse and print the result.") { sql, format, warehouseOption };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var settings = await WarehouseOption.ResolveAsync(parse, warehouseOption, cancellationToken);
            using var warehouse = await WarehouseFactory.OpenExistingAsync(settings, TimeProvider.System, cancellationToken);
            var query = parse.GetValue(sql)!;
            try
            {
                using var reader = warehouse.Query(query);
                ResultWriter.Write(reader, parse.GetValue(format), Console.Out, CommandRunner.Out);
            }
            catch (DuckDB.NET.Data.DuckDBException ex)
            {
                // Found while the rows streamed.
                throw new QueryException(query, $"The query failed: {DuckDbException.Condense(ex.Message)}", ex);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
