using System.CommandLine;
using Wharf.Projects;

namespace Wharf.Cli.Commands;

/// <summary>
/// <c>--warehouse</c> for the commands that read a warehouse: a project's, the one a
/// <c>wharf run --source</c> left in a folder without wharf.yml, or any other.
/// </summary>
internal static class WarehouseOption
{
    private const string DefaultFile = "warehouse.duckdb";

    public static Option<string?> Create() => new("--warehouse")
    {
        Description = "duckdb:FILE or postgres://… to read instead of the project's (without wharf.yml: the folder's warehouse.duckdb, as wharf run --source leaves it).",
        HelpName = "W",
    };

    /// <summary>
    /// The warehouse <c>--warehouse</c> names; else the project's; else, in a folder without
    /// wharf.yml, its <c>warehouse.duckdb</c> (the default of a <c>--source</c> run).
    /// </summary>
    public static async Task<WarehouseSettings> ResolveAsync(ParseResult parse, Option<string?> option, CancellationToken cancellationToken)
    {
        if (parse.GetValue(option) is { } value)
        {
            return OneLineProject.ParseWarehouse(value, Environment.CurrentDirectory);
        }

        var root = Path.GetFullPath(parse.GetValue(CommonOptions.Project)!);
        var file = Path.Combine(root, DefaultFile);
        return !File.Exists(Path.Combine(root, Project.FileName)) && File.Exists(file)
            ? new WarehouseSettings(WarehouseKind.DuckDb, file)
            : (await ProjectLoader.LoadAsync(root, cancellationToken: cancellationToken)).Warehouse;
    }
}
