using System.CommandLine;
using System.Collections.Immutable;
using Wharf.Projects;

namespace Wharf.Cli.Commands;

/// <summary>The options of <c>wharf run --source …</c>: a run without a project file.</summary>
internal sealed class SourceOptions
{
    private readonly Option<string?> source = new("--source")
    {
        Description = "Run without a project file: postgres://user:password@host/db (or postgresql://), sqlite:FILE, or a file path, folder or glob.",
        HelpName = "URL_OR_PATH",
    };

    private readonly Option<string?> query = new("--query") { Description = "With a database --source: the SQL whose rows to load (needs --table).", HelpName = "SQL" };

    private readonly Option<string[]> tables = List("--tables", "GLOB", "With a database --source: the tables to load (names or globs, schema.table, !glob to exclude); each keeps its name.");

    private readonly Option<string[]> files = List("--files", "GLOB", "With a folder --source: the files to load, relative to it (*, ?, **).");

    private readonly Option<string?> table = new("--table") { Description = "The warehouse table (default for files: the file's or folder's name).", HelpName = "NAME" };

    private readonly Option<string?> schema = new("--schema") { Description = "The warehouse schema (default: main).", HelpName = "S" };

    private readonly Option<string?> mode = new("--mode") { Description = "append (default), replace, merge or scd2.", HelpName = "MODE" };

    private readonly Option<string[]> primaryKey = List("--primary-key", "COL", "The key merge and scd2 work by (database tables default to their own).");

    private readonly Option<string[]> cursor = List("--cursor", "COL", "Incremental: extract only rows at or past the watermark the last run saved.");

    private readonly Option<string?> warehouse = new("--warehouse") { Description = "duckdb:FILE or postgres://… (default: duckdb:warehouse.duckdb in the project folder).", HelpName = "W" };

    private readonly Option<string?> lake = new("--lake") { Description = "The lake folder (default: lake/ in the project folder).", HelpName = "DIR" };

    public IEnumerable<Option> All => [source, query, tables, files, table, schema, mode, primaryKey, cursor, warehouse, lake];

    /// <summary>Whether <c>--source</c> was given.</summary>
    public bool IsGiven(ParseResult parse) => parse.GetValue(source) is not null;

    /// <summary>The first option given that only a <c>--source</c> run takes, if any.</summary>
    public string? OtherGiven(ParseResult parse) => All.Skip(1).FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;

    /// <summary>The project the options describe: one connection and one pipeline.</summary>
    /// <exception cref="OptionException">Options that cannot be, or do not go together.</exception>
    public Project Build(ParseResult parse, string directory) => OneLineProject.Build(new OneLineOptions
    {
        Source = parse.GetValue(source)!,
        Query = parse.GetValue(query),
        Tables = Values(parse, tables, split: true),
        Files = Values(parse, files, split: false),
        Table = parse.GetValue(table),
        Schema = parse.GetValue(schema),
        Mode = parse.GetValue(mode),
        PrimaryKey = Values(parse, primaryKey, split: true),
        Cursor = Values(parse, cursor, split: true),
        Warehouse = parse.GetValue(warehouse),
        Lake = parse.GetValue(lake),
        Directory = directory,
    });

    private static Option<string[]> List(string name, string helpName, string description) => new(name)
    {
        Description = description + " Several: repeat the option, separate by spaces" + (name == "--files" ? "." : " or commas."),
        HelpName = helpName,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>The values, split at commas where a list of names may be written <c>a,b</c>.</summary>
    private static ImmutableArray<string> Values(ParseResult parse, Option<string[]> option, bool split) =>
        [.. (parse.GetValue(option) ?? []).SelectMany(v => split ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [v])];
}
