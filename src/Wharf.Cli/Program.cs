using System.CommandLine;
using Wharf.Cli;
using Wharf.Cli.Commands;

var root = new RootCommand("Wharf: extract, land in a Parquet lake, load into a warehouse, and record every run.")
{
    CommonOptions.Project,
    CommonOptions.Verbose,
    CommonOptions.LogFormat,
    InitCommand.Create(),
    RunCommand.Create(),
    BuildCommands.Build(),
    BuildCommands.Compile(),
    BuildCommands.Seed(),
    LineageCommand.Create(),
    ExportCommand.Create(),
    DocsCommand.Create(),
    QueryCommand.Create(),
    RunsCommand.Create(),
    CheckCommand.Create(),
    ReplayCommand.Create(),
    ServeCommand.Create(),
    ConnectionCommands.TestConnection(),
    ConnectionCommands.Discover(),
    ConnectionCommands.Exec(),
};

if (args is ["--version"])
{
    // Wharf's version and the DuckDB it runs on (System.CommandLine's own option prints only the first).
    Console.WriteLine(VersionText.Describe());
    return ExitCodes.Success;
}

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine($"Run '{string.Join(' ', parse.CommandResult.Command.Name == root.Name ? "wharf" : "wharf " + parse.CommandResult.Command.Name)} --help' for usage.");
    return ExitCodes.Usage;
}

// wharf serve handles SIGTERM/SIGINT itself (a grace period for running pipelines); System.CommandLine
// would otherwise end the process two seconds after the signal.
return await parse.InvokeAsync(parse.CommandResult.Command.Name == "serve" ? new InvocationConfiguration { ProcessTerminationTimeout = null } : null);
