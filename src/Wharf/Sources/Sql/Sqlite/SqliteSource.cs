using DuckDB.NET.Data;
using System.Collections.Immutable;
using Microsoft.Data.Sqlite;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Sql.Sqlite;

/// <summary>Tables (in foreign-key order) or one query of a SQLite database file.</summary>
internal sealed class SqliteSource(ConnectionSettings connection, PipelineSettings pipeline) : ISource
{
    private readonly Dictionary<string, (string From, ImmutableArray<CatalogColumn> Columns)> plans = new(StringComparer.Ordinal);

    /// <summary>Notes about the load order (self-references, cycles), for the log.</summary>
    public IReadOnlyList<string> Notes { get; private set; } = [];

    public async Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        await using var database = await OpenAsync(connection, cancellationToken);
        if (pipeline.Query is { } query)
        {
            plans[pipeline.Table] = ($"({query}) AS q", await DescribeQueryAsync(database, query, cancellationToken));
            return [new SourceStream(pipeline.Table, "query", pipeline.Table, [])];
        }

        var catalog = await SqliteCatalogReader.ReadAsync(database, cancellationToken);
        var selection = CatalogStreams.Select(catalog, pipeline, connection, connection.Path);
        Notes = selection.Notes;
        foreach (var table in selection.Tables)
        {
            plans[table.Name] = (Quote.Identifier(table.Name), table.Columns);
        }

        return selection.Streams;
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);

        // Rows go to the lake through a private DuckDB (see LakeParts), not the work area.
        var (from, columns) = plans[stream.Name];
        var picked = request.Columns.IsEmpty ? columns : Schema.ColumnNames.Pick(columns, request.Columns, c => c.Name, stream.Name, "primary_key");
        var sql = $"SELECT {string.Join(", ", picked.Select(c => Quote.Identifier(c.Name)))} FROM {from}";
        if (!request.Cursor.IsEmpty)
        {
            var cursor = Schema.ColumnNames.Pick(columns, request.Cursor, c => c.Name, stream.Name, "cursor").Select(c => Quote.Identifier(c.Name)).ToList();
            sql += (request.From is { } bound ? $" WHERE {bound.Where(cursor, Quote.Literal)}" : "") + $" ORDER BY {Incremental.CursorBound.OrderBy(cursor)}";
        }

        var types = picked.Select(c => SqliteColumnType.ToDuckDb(c.DataType)).ToArray();
        using var parts = LakeParts.Create(request, [.. picked.Select((c, i) => SqliteValue.Stage(c.Name, types[i]))], pipeline.Parallel);
        await using var database = await OpenAsync(connection, cancellationToken);
        await using var command = database.CreateCommand();
        command.CommandText = sql;
        ReaderRowSource? rows = null;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            rows = new ReaderRowSource(reader, (r, i, _) => SqliteValue.To(types[i], r.GetValue(i)));
            return await parts.WriteAsync(rows, cancellationToken);
        }
        catch (Exception ex) when (ex is SqliteException or DuckDbException or FormatException or InvalidCastException or OverflowException)
        {
            throw new SourceException(connection.Name, stream.Name,
                $"Pipeline '{pipeline.Name}': reading {stream.Description} from '{connection.Name}' failed at row {rows?.Row ?? 0}: " +
                $"{(ex is DuckDbException duck ? duck.Summary : ex.Message)} SQLite lets any value sit in any column; fix the row or declare the column's type to match. Nothing was loaded.", ex);
        }
    }

    /// <summary>Opens the file read-only; a missing file is an error, never an empty new database.</summary>
    internal static async Task<SqliteConnection> OpenAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Path))
        {
            throw new SourceException(settings.Name, "", $"Connection '{settings.Name}': the SQLite database {settings.Path} does not exist.");
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = settings.Path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw new SourceException(settings.Name, "", $"Connection '{settings.Name}': {settings.Path} cannot be opened as SQLite: {ex.Message}", ex);
        }
    }

    /// <summary>A query's columns with the declared types of the table columns they come from.</summary>
    private async Task<ImmutableArray<CatalogColumn>> DescribeQueryAsync(SqliteConnection database, string query, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand();
        command.CommandText = query;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SchemaOnly, cancellationToken);
            return [.. Enumerable.Range(0, reader.FieldCount).Select(i => new CatalogColumn(reader.GetName(i), reader.GetDataTypeName(i), true))];
        }
        catch (SqliteException ex)
        {
            throw new SourceException(connection.Name, pipeline.Table, $"Pipeline '{pipeline.Name}' ({pipeline.Location}): the query does not run on '{connection.Name}': {ex.Message}", ex);
        }
    }
}
