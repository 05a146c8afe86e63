using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Projects;

/// <summary>
/// A run without a project file (<c>wharf run --source URL_OR_PATH …</c>): its options become the
/// <see cref="Project"/> a wharf.yml with one connection and one pipeline would give, checked as
/// strictly, so the run goes through the same runner, audit, lake and errors.
/// </summary>
/// <remarks>
/// The pipeline is named after its target, because the target is what its watermark, lake folder
/// and lock belong to: the table for <c>--query</c> and files, the database's name for
/// <c>--tables</c>; prefixed with <c>&lt;schema&gt;__</c> when the schema is not <c>main</c>
/// (<c>--schema staging --table users</c> → <c>staging__users</c>).
/// </remarks>
internal static partial class OneLineProject
{
    /// <summary>Where errors say the settings come from, in place of a file, line and column.</summary>
    public const string Origin = "wharf run --source";

    private const string DefaultSchema = "main";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    /// <summary>Checks the options and builds the project: one connection, one pipeline.</summary>
    /// <exception cref="OptionException">Options that cannot be, or do not go together; the message names the option and what to do.</exception>
    public static Project Build(OneLineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = Path.GetFullPath(options.Directory);
        var location = new SourceLocation(Origin, 0, 0);
        var given = new[] { ("--query", options.Query is not null), ("--tables", !options.Tables.IsEmpty), ("--files", !options.Files.IsEmpty) }
            .Where(g => g.Item2).Select(g => g.Item1).ToList();
        if (given.Count > 1)
        {
            throw new OptionException(given[1], $"{given[0]} and {given[1]} cannot go together: a run loads the rows of one query, some tables, or some files. Keep one of them.");
        }

        var source = OneLineSource.Resolve(options, location);
        if (!source.IsFiles)
        {
            RequireDatabaseOptions(options, source);
        }

        var mode = Mode(options.Mode);
        var schema = RequireIdentifier("--schema", options.Schema ?? DefaultSchema);
        var table = options.Table is { } named ? RequireIdentifier("--table", named) : Suggest(source.Name);
        if (mode is WriteMode.Merge or WriteMode.Scd2 && options.PrimaryKey.IsEmpty && options.Tables.IsEmpty)
        {
            throw new OptionException("--primary-key",
                $"--mode {Name(mode)} {(mode == WriteMode.Merge ? "upserts rows" : "keeps each row's history")} by key, and {(source.IsFiles ? "files have" : "a query has")} none: " +
                "add --primary-key COLUMN (or several: --primary-key order_id line_no).");
        }

        if (!options.Cursor.IsEmpty && mode == WriteMode.Replace)
        {
            throw new OptionException("--cursor",
                "--mode replace rebuilds the table from a full extract, so with --cursor it would drop every row before the watermark. Use --mode append or merge with --cursor.");
        }

        var target = options.Tables.IsEmpty ? table : Suggest(source.Name);
        var pipeline = new PipelineSettings
        {
            Name = schema == DefaultSchema ? target : $"{schema}__{target}",
            Source = source.Connection.Name,
            Files = source.Files,
            Tables = options.Tables,
            Query = options.Query,
            Table = table,
            Schema = schema,
            Mode = mode,
            PrimaryKey = options.PrimaryKey,
            Incremental = new IncrementalSettings { Cursor = options.Cursor },
            Location = location,
        };
        return new Project(root, Origin, Warehouse(options, root), Lake(options, root), [source.Connection], [pipeline]);
    }

    private static void RequireDatabaseOptions(OneLineOptions options, OneLineSource source)
    {
        var shown = source.Connection.Name;
        if (!options.Files.IsEmpty)
        {
            throw new OptionException("--files", $"--files picks files in a folder, and --source {shown} is a {source.Connection.Type} database. Use --tables GLOB... or --query SQL.");
        }

        if (options.Query is null && options.Tables.IsEmpty)
        {
            throw new OptionException("--tables",
                $"--source {shown} is a database: say what to load with --tables GLOB... (e.g. --tables 'public.*') or --query SQL (with --table NAME).");
        }

        if (options.Query is not null && options.Table is null)
        {
            throw new OptionException("--table", "--query needs --table NAME: the warehouse table its rows go to.");
        }

        if (!options.Tables.IsEmpty && options.Table is not null)
        {
            throw new OptionException("--table",
                "--tables keeps each source table's name, so --table has nothing to name (it is for --query and files). Drop --table; --schema puts the tables in a schema of their own.");
        }
    }

    private static WriteMode Mode(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "append" => WriteMode.Append,
        "replace" => WriteMode.Replace,
        "merge" => WriteMode.Merge,
        "scd2" => WriteMode.Scd2,
        _ => throw new OptionException("--mode", $"--mode must be append, replace, merge or scd2, not '{text}'."),
    };

    private static string Name(WriteMode mode) => mode.ToString().ToLowerInvariant();

    private static WarehouseSettings Warehouse(OneLineOptions options, string root) => options.Warehouse is { } value
        ? ParseWarehouse(value, options.WorkingDirectory)
        : new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(root, "warehouse.duckdb"));

    /// <summary>The warehouse a <c>--warehouse</c> option names: <c>duckdb:FILE</c>, a DuckDB file, or <c>postgres://…</c>.</summary>
    /// <param name="workingDirectory">The folder a relative DuckDB file is in.</param>
    /// <exception cref="OptionException">It names no warehouse Wharf knows, or is not a usable PostgreSQL URL.</exception>
    public static WarehouseSettings ParseWarehouse(string value, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(value);
        var warehouse = WarehouseUrl.Parse(value, workingDirectory, new SourceLocation("--warehouse", 0, 0))
            ?? throw new OptionException("--warehouse",
                $"--warehouse must be duckdb:FILE (a DuckDB database file) or postgres://user@host:5432/database, not '{ConnectionUrl.Redact(value)}'.");
        if (warehouse.Connection is { } connection)
        {
            try
            {
                _ = PostgresConnectionString.For(connection);
            }
            catch (ProjectFileException ex)
            {
                throw new OptionException("--warehouse", $"--warehouse {ConnectionUrl.Redact(value)} is not a PostgreSQL URL Wharf can use: {ex.Problem}", ex);
            }
        }

        return warehouse;
    }

    private static string Lake(OneLineOptions options, string root)
    {
        if (options.Lake is not { } lake)
        {
            return Path.Combine(root, "lake");
        }

        return lake.Length == 0 || lake.Contains("://", StringComparison.Ordinal)
            ? throw new OptionException("--lake", $"--lake must be a local folder (e.g. --lake ./lake), not '{ConnectionUrl.Redact(lake)}'.")
            : Path.GetFullPath(Path.Combine(options.WorkingDirectory, lake));
    }

    private static string RequireIdentifier(string option, string value) => Identifier().IsMatch(value)
        ? value
        : throw new OptionException(option,
            $"{option} '{value}' can only hold letters, digits and underscores and must not start with a digit (it becomes a SQL identifier and a lake folder). Try '{Suggest(value)}'.");

    /// <summary>A name made into an identifier: lower case, runs of other characters as one underscore.</summary>
    private static string Suggest(string value)
    {
        var cleaned = Regex.Replace(value.Trim().ToLowerInvariant(), "[^a-z0-9_]+", "_").Trim('_');
        return cleaned.Length == 0 ? "data" : char.IsDigit(cleaned[0]) ? "_" + cleaned : cleaned;
    }
}
