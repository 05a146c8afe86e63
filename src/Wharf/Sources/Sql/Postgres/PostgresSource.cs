using DuckDB.NET.Data;
using System.Collections.Immutable;
using Npgsql;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Postgres;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>
/// Tables (in foreign-key order) or one query of a PostgreSQL database. Rows stream out by binary
/// COPY, each value decoded into DuckDB's chunks as <see cref="LakeParts"/> writes them to the
/// lake part by part, so memory stays flat whatever the table's size.
/// </summary>
internal sealed partial class PostgresSource(ConnectionSettings connection, PipelineSettings pipeline) : ISource
{
    /// <summary>
    /// Tables PostgreSQL estimates at this many rows or more, with a single integer primary key,
    /// are split into key ranges copied in parallel (one consistent snapshot for all ranges).
    /// </summary>
    internal const long SplitRows = 2_000_000;

    private static readonly string[] IntegerTypes = ["int2", "int4", "int8"];

    private readonly Dictionary<string, (string From, ImmutableArray<CatalogColumn> Columns, CatalogTable? Table)> plans = new(StringComparer.Ordinal);

    /// <summary>Notes about the load order (self-references, cycles), for the log.</summary>
    public IReadOnlyList<string> Notes { get; private set; } = [];

    public bool ReadsSnapshots => true;

    public async Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        await using var database = await PostgresSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken);
        if (pipeline.Query is { } query)
        {
            var columns = await DescribeQueryAsync(database, query, cancellationToken);
            plans[pipeline.Table] = ($"({query}) AS q", columns, null);
            return [new SourceStream(pipeline.Table, "query", pipeline.Table, [])];
        }

        var catalog = await PostgresCatalogReader.ReadAsync(database, cancellationToken);
        var selection = CatalogStreams.Select(catalog, pipeline, connection, PostgresConnectionString.Describe(connection));
        Notes = selection.Notes;
        foreach (var table in selection.Tables)
        {
            plans[table.Name] = (Quote.Qualified(table.Schema, table.Name), table.Columns, table);
        }

        return selection.Streams;
    }

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);

        // Rows go to the lake through a private DuckDB (see LakeParts), not the work area.
        var (from, columns, table) = plans[stream.Name];
        var picked = request.Columns.IsEmpty ? columns : Schema.ColumnNames.Pick(columns, request.Columns, c => c.Name, stream.Name, "primary_key");
        var columnPlans = picked.Select(c => PostgresColumnPlan.For(stream.Name, c)).ToList();
        var select = $"SELECT {string.Join(", ", columnPlans.Select(p => p.CopyExpression))} FROM {from}";
        var ordered = !request.Cursor.IsEmpty;
        if (ordered)
        {
            // A cursor extract is read in cursor order, so each part is a prefix whose watermark can be committed.
            var cursor = Schema.ColumnNames.Pick(columns, request.Cursor, c => c.Name, stream.Name, "cursor").Select(c => (Quoted: Quote.Identifier(c.Name), c.Nullable)).ToList();
            select += (request.From is { } bound ? $" WHERE {bound.Where([.. cursor.Select(c => c.Quoted)], Quote.Literal)}" : "") + $" ORDER BY {Incremental.CursorBound.OrderBy(cursor)}";
        }

        await using var coordinator = await PostgresSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken);
        var ranges = table is null || ordered ? [null] : await KeyRangesAsync(coordinator, table, cancellationToken);
        return await ExtractRangesAsync(coordinator, ranges, request, stream, columnPlans, where => where is null ? select : $"{select} WHERE {where}", null, cancellationToken);
    }

    /// <summary>
    /// Copies the query of each key range (one range: on the coordinator) into the lake; several
    /// ranges run in parallel, each on its own connection, all reading the coordinator's snapshot.
    /// </summary>
    /// <param name="select">The query for a range's condition (null: the whole table).</param>
    /// <param name="setup">Statements run before each range's COPY, in its transaction (<c>SET LOCAL</c>), or null.</param>
    private async Task<IReadOnlyList<LakeManifest>> ExtractRangesAsync(
        NpgsqlConnection coordinator, List<string?> ranges, ExtractRequest request, SourceStream stream,
        List<PostgresColumnPlan> columnPlans, Func<string?, string> select, string? setup, CancellationToken cancellationToken)
    {
        if (ranges.Count == 1)
        {
            return await ExtractRangeAsync(coordinator, null, request, stream, columnPlans, select(ranges[0]), setup, cancellationToken);
        }

        // Every range reads the same snapshot, exported by the coordinator's transaction.
        await using var snapshotTransaction = await coordinator.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using var export = new NpgsqlCommand("SELECT pg_export_snapshot()", coordinator, snapshotTransaction);
        var snapshot = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
        var parts = await Task.WhenAll(ranges.Select(async (where, k) =>
        {
            await using var database = await PostgresSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken);
            var range = request with { Target = request.Target with { Part = k * 1000 } };
            return await ExtractRangeAsync(database, snapshot, range, stream, columnPlans, select(where), setup, cancellationToken);
        }));
        return [.. parts.SelectMany(p => p)];
    }

    /// <summary>Even ranges of a single integer primary key, or one range when the table is small or not splittable.</summary>
    /// <param name="parts">How many ranges at most (default: the pipeline's <c>parallel</c>).</param>
    private async Task<List<string?>> KeyRangesAsync(NpgsqlConnection database, CatalogTable table, CancellationToken cancellationToken, int? parts = null)
    {
        var key = table.PrimaryKey.Length == 1 ? table.Columns.FirstOrDefault(c => c.Name == table.PrimaryKey[0]) : null;
        var ways = parts ?? pipeline.Parallel;
        if (key?.Postgres is null || !IntegerTypes.Contains(key.Postgres.TypeName) || table.EstimatedRows < SplitRows || ways < 2)
        {
            return [null];
        }

        var quoted = Quote.Identifier(key.Name);
        await using var bounds = new NpgsqlCommand($"SELECT min({quoted})::bigint, max({quoted})::bigint FROM {Quote.Qualified(table.Schema, table.Name)}", database);
        await using var reader = await bounds.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0))
        {
            return [null];
        }

        var (low, high) = (reader.GetInt64(0), reader.GetInt64(1));
        var step = Math.Max(1, (long)Math.Ceiling(((double)high - low + 1) / ways));
        var ranges = new List<string?>();
        for (var start = low; start <= high; start += step)
        {
            ranges.Add(start + step > high
                ? $"{quoted} >= {start}"
                : ranges.Count == 0 ? $"{quoted} < {start + step}" : $"{quoted} >= {start} AND {quoted} < {start + step}");
        }

        return ranges;
    }

    private async Task<IReadOnlyList<LakeManifest>> ExtractRangeAsync(
        NpgsqlConnection database, string? snapshot, ExtractRequest request,
        SourceStream stream, List<PostgresColumnPlan> columnPlans, string select, string? setup, CancellationToken cancellationToken)
    {
        if (snapshot is not null || setup is not null)
        {
            // Left open: the connection's disposal ends it (the COPY only reads).
            var begin = snapshot is null ? "BEGIN" : $"BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT {Quote.Literal(snapshot)}";
            await using var command = new NpgsqlCommand(setup is null ? begin : $"{begin}; {setup}", database);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // Up to `parallel` tables and `parallel` key ranges of one table can be read at once.
        using var parts = LakeParts.Create(request,
            [.. columnPlans.Select(p => new LakeParts.Column(p.Name, p.StageType, p.LakeExpression))], 2 * pipeline.Parallel);
        PostgresCopySource? rows = null;
        try
        {
            await using var output = await database.BeginRawBinaryCopyAsync($"COPY ({select}) TO STDOUT (FORMAT BINARY)", cancellationToken);
            await using var cancel = cancellationToken.Register(output.Cancel);

            // The server answered the COPY: its statement (and so its snapshot) has started.
            request.OnSnapshot?.Invoke();
            rows = new PostgresCopySource(new PostgresCopyRows(output), stream.Name, columnPlans);
            return await parts.WriteAsync(rows, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or DuckDbException or InvalidCastException or FormatException or OverflowException or InvalidDataException or EndOfStreamException)
        {
            throw new SourceException(connection.Name, stream.Name,
                $"Pipeline '{pipeline.Name}': reading {stream.Description} from '{connection.Name}' failed near row {rows?.Row ?? 0}: {Explain(ex)} Nothing was loaded.", ex)
            {
                Transient = ConnectionLost(ex) || PostgresErrors.IsTransient(ex),
            };
        }
    }

    private static string Explain(Exception ex) => ex switch
    {
        _ when ConnectionLost(ex) => $"the source closed the connection (its server restarted, or the session was ended){(ex is PostgresException lost ? $": {lost.MessageText} (SQLSTATE {lost.SqlState})" : "")}.",
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState}).",
        DuckDbException duck => duck.Summary,
        _ => ex.Message.EndsWith('.') ? ex.Message : ex.Message + ".",
    };

    /// <summary>The connection broke under the read (Npgsql says "Exception while reading from stream"), or the server ended the session.</summary>
    private static bool ConnectionLost(Exception ex) => ex switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
            || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.InnerException is IOException or System.Net.Sockets.SocketException,
        EndOfStreamException => true,
        _ => false,
    };

    /// <summary>The columns of a query, by describing it as a temporary view (domains resolved like tables').</summary>
    private async Task<ImmutableArray<CatalogColumn>> DescribeQueryAsync(NpgsqlConnection database, string query, CancellationToken cancellationToken)
    {
        try
        {
            await using (var create = new NpgsqlCommand($"CREATE TEMP VIEW wharf_query AS {query}", database))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var tables = await PostgresCatalogReader.ReadRelationAsync(database, "wharf_query", cancellationToken);
            return tables.Columns;
        }
        catch (PostgresException ex)
        {
            throw new SourceException(connection.Name, pipeline.Table,
                $"Pipeline '{pipeline.Name}' ({pipeline.Location}): the query does not run on '{connection.Name}': {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
        }
    }
}
