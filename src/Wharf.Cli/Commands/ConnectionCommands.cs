using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Wharf.Cli.Rendering;
using Wharf.Projects;
using Wharf.Sources;
using Wharf.Sources.Streams;

namespace Wharf.Cli.Commands;

/// <summary><c>wharf test-connection NAME</c> and <c>wharf discover NAME</c>.</summary>
internal static class ConnectionCommands
{
    public static Command TestConnection()
    {
        var name = new Argument<string?>("connection") { Description = "A connection of wharf.yml.", Arity = ArgumentArity.ZeroOrOne };
        var warehouse = new Option<bool>("--warehouse") { Description = "Test the project's warehouse (too, when a connection is named)." };
        var command = new Command("test-connection", "Check that a connection (or the warehouse) can be reached; says plainly what failed, never the password.") { name, warehouse };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            if (parse.GetValue(warehouse))
            {
                var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
                Console.Out.WriteLine($"ok: warehouse: {await ConnectionProbe.TestWarehouseAsync(project.Warehouse, cancellationToken)}");
                if (parse.GetValue(name) is null)
                {
                    return ExitCodes.Success;
                }
            }

            var (connection, consumed) = await FindWithQueuesAsync(parse, parse.GetValue(name) ?? throw new UsageException("Name a connection of wharf.yml, or pass --warehouse."), cancellationToken);
            var result = ProjectReader.IsBroker(connection.Type)
                ? await StreamProbe.TestAsync(connection, consumed, cancellationToken)
                : await ConnectionProbe.TestAsync(connection, cancellationToken);
            Console.Out.WriteLine($"ok: {connection.Name}: {result}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Discover()
    {
        var name = new Argument<string>("connection") { Description = "A database connection of wharf.yml." };
        var format = CommonOptions.Format(OutputFormat.Table, "table or json.");
        var files = new Option<string[]>("--files") { Description = "For a files, s3, sftp or webdav connection: the globs to list (default: every file, **)." };
        var command = new Command("discover", "List a database's tables (columns, types, nullability, keys, foreign keys, approximate rows), a broker's queues and streams with their message counts, or the files of a folder, bucket, SFTP or WebDAV folder (sizes, times).") { name, format, files };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var (connection, consumed) = await FindWithQueuesAsync(parse, parse.GetValue(name)!, cancellationToken);
            if (connection.HoldsFiles)
            {
                return await ListFilesAsync(connection, parse.GetValue(files) is { Length: > 0 } globs ? globs : ["**"], parse.GetValue(format), cancellationToken);
            }

            if (ProjectReader.IsBroker(connection.Type))
            {
                return RenderQueues(await StreamProbe.DiscoverAsync(connection, consumed, cancellationToken), parse.GetValue(format), connection.Type);
            }

            var tables = await ConnectionProbe.DiscoverAsync(connection, cancellationToken);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(tables.Select(t => new
                {
                    schema = t.Schema,
                    table = t.Name,
                    kind = t.IsView ? "view" : "table",
                    estimated_rows = t.EstimatedRows,
                    primary_key = t.PrimaryKey,
                    columns = t.Columns.Select(c => new { name = c.Name, type = c.DataType, nullable = c.Nullable }),
                    foreign_keys = t.ForeignKeys.Select(f => new { name = f.Name, columns = f.Columns, references = f.ReferencedQualifiedName, referenced_columns = f.ReferencedColumns }),
                }), JsonOutput.Options));
                return ExitCodes.Success;
            }

            foreach (var table in tables)
            {
                var grid = new Table().Border(TableBorder.Rounded)
                    .Title(table.IsView
                        ? $"{Markup.Escape(table.QualifiedName)} [grey](view)[/]"
                        : $"{Markup.Escape(table.QualifiedName)} [grey](~{table.EstimatedRows.ToString("N0", CultureInfo.InvariantCulture)} rows)[/]")
                    .AddColumn("column").AddColumn("type").AddColumn("null").AddColumn("key");
                foreach (var column in table.Columns)
                {
                    var references = table.ForeignKeys.Where(f => f.Columns.Contains(column.Name)).Select(f => $"→ {f.ReferencedQualifiedName}");
                    var key = string.Join(" ", (table.PrimaryKey.Contains(column.Name) ? ["PK"] : Array.Empty<string>()).Concat(references));
                    grid.AddRow(Markup.Escape(column.Name), Markup.Escape(column.DataType), column.Nullable ? "yes" : "no", Markup.Escape(key));
                }

                CommandRunner.Out.Write(grid);
            }

            CommandRunner.Out.MarkupLine($"[grey]{tables.Count} table(s).[/]");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>wharf discover</c> of a folder or bucket: the files the globs match.</summary>
    private static async Task<int> ListFilesAsync(ConnectionSettings connection, IReadOnlyList<string> globs, OutputFormat format, CancellationToken cancellationToken)
    {
        var found = await ConnectionProbe.DiscoverFilesAsync(connection, globs, cancellationToken);
        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(found.Select(f => new { path = f.Path, size = f.Size, modified = f.Modified, etag = f.ETag }), JsonOutput.Options));
            return ExitCodes.Success;
        }

        var grid = new Table().Border(TableBorder.Rounded).AddColumn("file").AddColumn(new TableColumn("bytes").RightAligned()).AddColumn("modified (UTC)");
        foreach (var file in found)
        {
            grid.AddRow(Markup.Escape(file.Path), file.Size.ToString("N0", CultureInfo.InvariantCulture), file.Modified.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        }

        CommandRunner.Out.Write(grid);
        CommandRunner.Out.MarkupLine($"[grey]{found.Count} file(s), {found.Sum(f => f.Size).ToString("N0", CultureInfo.InvariantCulture)} bytes.[/]");
        return ExitCodes.Success;
    }

    public static Command Exec()
    {
        var name = new Argument<string>("connection") { Description = "A database connection of wharf.yml." };
        var file = new Option<FileInfo>("--file") { Description = "The SQL script to run (in one transaction).", Required = true };
        var command = new Command("exec", "Run a SQL script against a database connection (e.g. to seed an example); a SQLite file is created if missing.") { name, file };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var connection = await FindAsync(parse, parse.GetValue(name)!, cancellationToken);
            var script = parse.GetValue(file)!;
            if (!script.Exists)
            {
                throw new UsageException($"The script {script.FullName} does not exist.");
            }

            await ScriptExecutor.ExecuteAsync(connection, await File.ReadAllTextAsync(script.FullName, cancellationToken), cancellationToken);
            Console.Out.WriteLine($"ok: ran {script.Name} on {connection.Name}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int RenderQueues(BrokerListing listing, OutputFormat format, string type)
    {
        var queues = listing.Queues;
        if (format == OutputFormat.Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(queues.Select(q => new { name = q.Name, kind = q.Kind, messages = q.Messages, consumers = q.Consumers, subjects = q.Subjects }), JsonOutput.Options));
            return ExitCodes.Success;
        }

        var grid = new Table().Border(TableBorder.Rounded).AddColumn(type == "nats" ? "stream" : "queue").AddColumn("messages").AddColumn("consumers");
        if (type == "nats")
        {
            grid.AddColumn("subjects");
        }

        foreach (var queue in queues)
        {
            var row = new List<string> { Markup.Escape(queue.Name), queue.Messages.ToString("N0", CultureInfo.InvariantCulture), queue.Consumers.ToString("N0", CultureInfo.InvariantCulture) };
            if (type == "nats")
            {
                row.Add(Markup.Escape(string.Join(", ", queue.Subjects)));
            }

            grid.AddRow([.. row]);
        }

        CommandRunner.Out.Write(grid);
        CommandRunner.Out.MarkupLine($"[grey]{Markup.Escape(listing.Note)}[/]");
        return ExitCodes.Success;
    }

    /// <summary>The connection, and the queues or streams the project's pipelines consume from it (for a broker).</summary>
    private static async Task<(ConnectionSettings Connection, IReadOnlyList<string> Consumed)> FindWithQueuesAsync(ParseResult parse, string name, CancellationToken cancellationToken)
    {
        var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
        var connection = project.Connections.FirstOrDefault(c => c.Name == name) ?? throw new UsageException(
            $"{project.File} has no connection named '{name}'. Connections: {string.Join(", ", project.Connections.Select(c => c.Name))}.");
        var consumed = project.Pipelines.Where(p => p.Source == name && p.Stream is not null).Select(p => p.Stream!.Queue ?? p.Stream.Stream!).Distinct().ToList();
        return (connection, consumed);
    }

    private static async Task<ConnectionSettings> FindAsync(ParseResult parse, string name, CancellationToken cancellationToken)
    {
        var project = await ProjectLoader.LoadAsync(parse.GetValue(CommonOptions.Project)!, cancellationToken: cancellationToken);
        return project.Connections.FirstOrDefault(c => c.Name == name) ?? throw new UsageException(
            $"{project.File} has no connection named '{name}'. Connections: {string.Join(", ", project.Connections.Select(c => c.Name))}.");
    }
}
