using System.Collections.Immutable;
using MySqlConnector;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Sql.MySql;

/// <summary>
/// Tables (in foreign-key order) or one query of a MySQL or MariaDB database. Rows stream out of
/// an unbuffered result set (MySqlConnector reads them off the socket as they are consumed), as
/// <see cref="LakeParts"/> writes them to the lake part by part, so memory stays flat whatever
/// the table's size. Big tables are read in primary-key ranges in parallel, from one
/// snapshot (<see cref="MySqlKeyRanges"/>).
/// </summary>
internal sealed partial class MySqlSource(ConnectionSettings connection, PipelineSettings pipeline) : ISource
{
    private readonly Dictionary<string, (string From, ImmutableArray<CatalogColumn> Columns, CatalogTable? Table)> plans = new(StringComparer.Ordinal);

    /// <summary>Notes about the load order (self-references, cycles), for the log.</summary>
    public IReadOnlyList<string> Notes { get; private set; } = [];

    public bool ReadsSnapshots => true;

    public async Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        await using var database = await MySqlSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken);
        if (pipeline.Query is { } query)
        {
            var columns = await DescribeQueryAsync(database, query, cancellationToken);
            plans[pipeline.Table] = ($"({query}) AS q", columns, null);
            return [new SourceStream(pipeline.Table, "query", pipeline.Table, [])];
        }

        var catalog = await MySqlCatalogReader.ReadAsync(database, cancellationToken);
        var selection = CatalogStreams.Select(catalog, pipeline, connection, MySqlConnectionString.Describe(connection));
        Notes = selection.Notes;
        foreach (var table in selection.Tables)
        {
            plans[table.Name] = ($"{MySqlColumnPlan.Identifier(table.Schema)}.{MySqlColumnPlan.Identifier(table.Name)}", table.Columns, table);
        }

        return selection.Streams;
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        var (from, columns, table) = plans[stream.Name];
        var picked = request.Columns.IsEmpty ? columns : Schema.ColumnNames.Pick(columns, request.Columns, c => c.Name, stream.Name, "primary_key");
        List<MySqlColumnPlan> columnPlans;
        try
        {
            columnPlans = [.. picked.Select(c => MySqlColumnPlan.For(stream.Name, c, connection))];
        }
        catch (UnsupportedColumnException ex)
        {
            throw new SourceException(connection.Name, stream.Name, $"Pipeline '{pipeline.Name}': {ex.Message}", ex);
        }

        var select = $"SELECT {string.Join(", ", columnPlans.Select(p => p.SelectExpression))} FROM {from}";
        var ordered = !request.Cursor.IsEmpty;
        if (ordered)
        {
            // In cursor order, so each part is a prefix whose watermark can be committed. MySQL
            // sorts NULLs first, as the other sources' NULLS FIRST does.
            var cursor = Schema.ColumnNames.Pick(columns, request.Cursor, c => c.Name, stream.Name, "cursor").Select(c => MySqlColumnPlan.Identifier(c.Name)).ToList();
            select += (request.From is { } bound ? $" WHERE {bound.Where(cursor, Literal)}" : "") + $" ORDER BY {string.Join(", ", cursor)}";
        }

        var ranges = table is null || ordered ? null : await MySqlKeyRanges.PlanAsync(connection, table, pipeline.Parallel, cancellationToken);
        await using var snapshot = ranges is null ? null : await OpenSnapshotAsync(table!, ranges.Count, stream, cancellationToken);
        if (snapshot is null)
        {
            await using var database = await MySqlSourceConnection.OpenAsync(connection, stream.Name, cancellationToken);
            return await ReadAsync(database, request, stream, columnPlans, select, cancellationToken);
        }

        // Every range reads the same snapshot: connections that started their snapshots together while the table was locked.
        request.OnSnapshot?.Invoke();
        var parts = await Task.WhenAll(ranges!.Select((where, k) =>
            ReadAsync(snapshot.Connections[k], request with { Target = request.Target with { Part = k * 1000 } }, stream, columnPlans, $"{select} WHERE {where}", cancellationToken)));
        return [.. parts.SelectMany(p => p)];
    }

    private async Task<MySqlKeyRanges.Snapshot?> OpenSnapshotAsync(CatalogTable table, int count, SourceStream stream, CancellationToken cancellationToken)
    {
        try
        {
            return await MySqlKeyRanges.OpenSnapshotAsync(connection, table, count, stream.Name, cancellationToken);
        }
        catch (MySqlException ex)
        {
            throw new SourceException(connection.Name, stream.Name,
                $"Pipeline '{pipeline.Name}': starting the snapshot of {stream.Description} on '{connection.Name}' failed: {Explain(ex)}", ex)
            {
                Transient = MySqlSourceConnection.IsTransient(ex),
            };
        }
    }

    /// <summary>A cursor value as a MySQL literal: compared in the column's type, as the other sources' plain literals are.</summary>
    internal static string Literal(string value)
    {
        // Watermarks of TIMESTAMP columns end in +00 (UTC), which MySQL does not parse; the session is in UTC.
        if (value.EndsWith("+00", StringComparison.Ordinal) && value.Length > 19 && value[4] == '-' && value[10] == ' ')
        {
            value = value[..^3];
        }

        // A backslash means different things under different sql_modes; a hex string means one.
        return value.Contains('\\', StringComparison.Ordinal)
            ? $"_utf8mb4 X'{Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(value))}'"
            : Quote.Literal(value);
    }

    private async Task<IReadOnlyList<LakeManifest>> ReadAsync(
        MySqlConnection database, ExtractRequest request, SourceStream stream, List<MySqlColumnPlan> columnPlans, string select, CancellationToken cancellationToken)
    {
        // Up to `parallel` tables and `parallel` key ranges of one table can be read at once.
        using var parts = LakeParts.Create(request,
            [.. columnPlans.Select(p => new LakeParts.Column(p.Name, p.StageType, p.LakeExpression))], 2 * pipeline.Parallel);
        var manifests = await CopyAsync(database, parts, stream, columnPlans, select, request.OnSnapshot, cancellationToken);
        SourceBytes.Add(await BytesSentAsync(database, cancellationToken));
        return manifests;
    }

    /// <summary>What the server sent this connection so far (MySqlConnector counts no bytes itself): the run record's bytes read.</summary>
    private static async Task<long> BytesSentAsync(MySqlConnection database, CancellationToken cancellationToken)
    {
        await using var command = new MySqlCommand("SHOW SESSION STATUS LIKE 'Bytes_sent'", database);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && long.TryParse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;
    }

    private async Task<IReadOnlyList<LakeManifest>> CopyAsync(
        MySqlConnection database, LakeParts parts, SourceStream stream, List<MySqlColumnPlan> columnPlans, string select, Action? onSnapshot, CancellationToken cancellationToken)
    {
        ReaderRowSource? rows = null;
        try
        {
            await using var command = new MySqlCommand(select, database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);

            // The statement has started: its consistent read (and so its snapshot) is fixed.
            onSnapshot?.Invoke();
            rows = new ReaderRowSource(reader, (r, i, row) => Read((MySqlDataReader)r, i, columnPlans[i], stream.Name, row));
            return await parts.WriteAsync(rows, cancellationToken);
        }
        catch (Exception ex) when (ex is MySqlException or DuckDbException or InvalidCastException or FormatException or OverflowException or ArgumentException or IOException)
        {
            throw new SourceException(connection.Name, stream.Name,
                $"Pipeline '{pipeline.Name}': reading {stream.Description} from '{connection.Name}' failed {(rows is not { Row: > 0 } ? "before the first row" : $"at row {rows.Row}")}: {Explain(ex)} Nothing was loaded.", ex)
            {
                Transient = MySqlSourceConnection.IsTransient(ex),
            };
        }
    }

    private static object? Read(MySqlDataReader reader, int ordinal, MySqlColumnPlan plan, string table, long row)
    {
        try
        {
            return plan.Read(reader, ordinal);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException or ArgumentException)
        {
            throw new InvalidCastException($"column {table}.{plan.Name}, row {row}: {ex.Message}", ex);
        }
    }

    private static string Explain(Exception ex) => ex switch
    {
        _ when MySqlSourceConnection.ConnectionLost(ex) => $"the source closed the connection (its server restarted, or the session was killed): {ex.Message.TrimEnd('.')}.",
        MySqlException my => $"{my.Message} (error {(int)my.ErrorCode}).",
        DuckDbException duck => duck.Summary,
        _ => ex.Message.EndsWith('.') ? ex.Message : ex.Message + ".",
    };

    /// <summary>The columns of a query, from its result's metadata (no rows are read).</summary>
    private async Task<ImmutableArray<CatalogColumn>> DescribeQueryAsync(MySqlConnection database, string query, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = new MySqlCommand($"SELECT * FROM ({query}) AS q LIMIT 0", database);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return [.. reader.GetColumnSchema().Select(c => MySqlQueryColumn.From((MySqlDbColumn)c))];
        }
        catch (MySqlException ex)
        {
            throw new SourceException(connection.Name, pipeline.Table,
                $"Pipeline '{pipeline.Name}' ({pipeline.Location}): the query does not run on '{connection.Name}': {ex.Message} (error {(int)ex.ErrorCode}).", ex);
        }
    }
}
