using System.CommandLine;

namespace Wharf.Cli;

/// <summary>Options shared by several commands.</summary>
internal static class CommonOptions
{
    public static readonly Option<string> Project = new("--project", "-p")
    {
        Description = "The project folder (the one holding wharf.yml).",
        DefaultValueFactory = _ => ".",
        HelpName = "DIR",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Write detailed logs to standard error.",
        Recursive = true,
    };

    public static readonly Option<string?> LogFormat = new("--log-format")
    {
        Description = "How logs on standard error look: human (default) or json (one JSON object per line, for log shippers). Also WHARF_LOG_FORMAT.",
        HelpName = "human|json",
        Recursive = true,
    };

    public static Option<OutputFormat> Format(OutputFormat defaultFormat, string description) => new("--format", "-f")
    {
        Description = description,
        DefaultValueFactory = _ => defaultFormat,
    };
}

internal enum OutputFormat
{
    Table,
    Csv,
    Json,
}
