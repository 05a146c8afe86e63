using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Npgsql;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Projects;

/// <summary>
/// What <c>--source</c> names: a PostgreSQL or SQLite database (by its URL's scheme), or files (a
/// path, folder or glob), as the connection a wharf.yml would declare for it.
/// </summary>
/// <param name="Connection">The connection; its name is where it points, safe to print (never a password).</param>
/// <param name="Files">For files: the globs, relative to the connection's folder.</param>
/// <param name="Name">What the data is called when nothing else names it: the file's or folder's name, or the database's.</param>
internal sealed partial record OneLineSource(ConnectionSettings Connection, ImmutableArray<string> Files, string Name)
{
    private static readonly string[] SqliteExtensions = [".db", ".sqlite", ".sqlite3"];

    [GeneratedRegex("^(?<scheme>[A-Za-z][A-Za-z0-9+.-]+):")]
    private static partial Regex Scheme();

    public bool IsFiles => Connection.Type == "files";

    public static OneLineSource Resolve(OneLineOptions options, SourceLocation location)
    {
        var source = options.Source.Trim();
        if (source.Length == 0)
        {
            throw new OptionException("--source", "--source is empty: give a postgres:// URL, sqlite:FILE, or a file path, folder or glob.");
        }

        if (source.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return FromPostgres(source, location);
        }

        if (source.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return FromSqlite(source["sqlite:".Length..], options.WorkingDirectory, location);
        }

        if (source.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return FromFiles(source["file://".Length..], options, location);
        }

        if (Scheme().Match(source) is { Success: true } scheme && !File.Exists(Full(options.WorkingDirectory, source)) && !Directory.Exists(Full(options.WorkingDirectory, source)))
        {
            throw new OptionException("--source",
                $"--source {ConnectionUrl.Redact(source)}: Wharf cannot read '{scheme.Groups["scheme"].Value}:' sources. " +
                "Use postgres://user@host:5432/database (or postgresql://), sqlite:FILE, or a file path, folder or glob.");
        }

        return FromFiles(source, options, location);
    }

    private static OneLineSource FromPostgres(string url, SourceLocation location)
    {
        var connection = new ConnectionSettings("source", "postgres") { Url = url, Location = location };
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.For(connection));
        }
        catch (ProjectFileException ex)
        {
            throw new OptionException("--source", $"--source {ConnectionUrl.Redact(url)} is not a PostgreSQL URL Wharf can use: {ex.Problem}", ex);
        }

        var user = string.IsNullOrEmpty(builder.Username) ? "" : builder.Username + "@";
        return new OneLineSource(
            connection with { Name = $"postgres://{user}{builder.Host}:{builder.Port}/{builder.Database}" },
            [],
            builder.Database ?? builder.Username ?? "postgres");
    }

    private static OneLineSource FromSqlite(string path, string workingDirectory, SourceLocation location)
    {
        // sqlite:///abs/file.db is an absolute path, sqlite:file.db (or sqlite://file.db) a relative one.
        var file = path.StartsWith("//", StringComparison.Ordinal) ? path[2..] : path;
        if (file.Length == 0)
        {
            throw new OptionException("--source", "--source sqlite: needs the database file: sqlite:shop.db, or sqlite:///absolute/path/shop.db.");
        }

        var full = Full(workingDirectory, file);
        return new OneLineSource(
            new ConnectionSettings($"sqlite:{file}", "sqlite") { Path = full, Location = location },
            [],
            Path.GetFileNameWithoutExtension(full));
    }

    private static OneLineSource FromFiles(string path, OneLineOptions options, SourceLocation location)
    {
        if (options.Query is not null || !options.Tables.IsEmpty)
        {
            var option = options.Query is not null ? "--query" : "--tables";
            throw new OptionException(option,
                $"{option} reads a database, and --source {path} is a file path. Give a database as --source (postgres://user@host/database or sqlite:FILE), " +
                "or load files with --source FOLDER --files GLOB.");
        }

        var full = Path.TrimEndingDirectorySeparator(Full(options.WorkingDirectory, path));
        string folder;
        ImmutableArray<string> globs;
        if (path.IndexOfAny(['*', '?']) >= 0)
        {
            if (!options.Files.IsEmpty)
            {
                throw new OptionException("--files",
                    $"--source {path} already names files with a glob, so --files has nothing to add. Pass the folder as --source and the glob as --files " +
                    "(--source data --files '*.csv'), or drop --files.");
            }

            // The folder is the glob's longest part without wildcards; the rest is the glob.
            var segments = full.Split(Path.DirectorySeparatorChar);
            var fixedCount = segments.TakeWhile(s => s.IndexOfAny(['*', '?']) < 0).Count();
            folder = string.Join(Path.DirectorySeparatorChar, segments[..fixedCount]);
            folder = folder.Length == 0 ? Path.GetPathRoot(full) ?? "/" : folder;
            globs = [string.Join('/', segments[fixedCount..])];
        }
        else if (Directory.Exists(full))
        {
            if (options.Files.IsEmpty)
            {
                throw new OptionException("--files",
                    $"--source {path} is a folder: say which of its files to load with --files GLOB (e.g. --files '*.csv', or --files 'orders/**/*.parquet').");
            }

            folder = full;
            globs = options.Files;
        }
        else
        {
            if (!options.Files.IsEmpty)
            {
                throw new OptionException("--files",
                    $"--files picks files in the folder --source names, and {path} is {(File.Exists(full) ? "a file" : "no folder")}. " +
                    "Pass the folder as --source (--source data --files '*.csv'), or name the file(s) in --source alone.");
            }

            if (SqliteExtensions.Contains(Path.GetExtension(full), StringComparer.OrdinalIgnoreCase))
            {
                throw new OptionException("--source", $"--source {path} looks like a SQLite database: write --source sqlite:{path} to load its tables (with --tables or --query).");
            }

            folder = Path.GetDirectoryName(full) ?? full;
            globs = [Path.GetFileName(full)];
        }

        var shown = Path.GetRelativePath(options.WorkingDirectory, folder);
        return new OneLineSource(
            new ConnectionSettings(shown.StartsWith("..", StringComparison.Ordinal) ? folder : shown, "files") { Path = folder, Location = location },
            globs,
            FilesName(folder, globs[0]));
    }

    /// <summary>
    /// The files' name: the last part of the path without wildcards, without its extensions
    /// (<c>data/customers.csv</c> → customers, <c>data/orders/*.csv</c> → orders, <c>data/*.csv</c> → data).
    /// </summary>
    private static string FilesName(string folder, string glob)
    {
        var parts = $"{folder}/{glob}".Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return "files";
        }

        if (parts[^1].IndexOfAny(['*', '?']) < 0)
        {
            var name = parts[^1];
            foreach (var compression in new[] { ".gz", ".zst" })
            {
                name = name.EndsWith(compression, StringComparison.OrdinalIgnoreCase) ? name[..^compression.Length] : name;
            }

            return Path.GetFileNameWithoutExtension(name);
        }

        return parts[..^1].LastOrDefault(p => p.IndexOfAny(['*', '?']) < 0) ?? "files";
    }

    private static string Full(string workingDirectory, string path) => Path.GetFullPath(Path.Combine(workingDirectory, path));
}
