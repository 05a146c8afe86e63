using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Data;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Schema;
using Wharf.Sources.Sql.Postgres;
using Wharf.Staging;
using Wharf.Dialects;
using Wharf.Postgres;

namespace Wharf.Warehouses.Postgres;

/// <summary>
/// PostgreSQL as the warehouse. Extracts are staged in an in-memory DuckDB work area; a load
/// streams the lake files out of DuckDB into binary COPY and writes the data and its audit row in
/// one PostgreSQL transaction, so a failure at any point leaves target and audit as they were.
/// </summary>
internal sealed class PostgresWarehouse : IWarehouse
{
    private readonly ConnectionSettings settings;
    private readonly TimeProvider time;
    private readonly TableLoader loader;

    private PostgresWarehouse(ConnectionSettings settings, TimeProvider time, DuckDBConnection workArea)
    {
        this.settings = settings;
        this.time = time;
        loader = new TableLoader(time);
        WorkArea = workArea;
    }

    public DuckDBConnection WorkArea { get; }

    public SqlDialect Dialect => SqlDialect.Postgres;

    public DuckDBConnection OpenWorkArea() => DuckDbConnections.Another(WorkArea);

    /// <summary>Where the warehouse is, safe to print.</summary>
    public string Description => PostgresConnectionString.Describe(settings);

    /// <param name="limits">The memory and threads of the in-process DuckDB work area that reads the lake for COPY.</param>
    public static async Task<PostgresWarehouse> OpenAsync(ConnectionSettings settings, TimeProvider time, DuckDbLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using (var connection = await PostgresConnector.OpenAsync(settings, cancellationToken))
        {
            // One process at a time: PostgreSQL's IF NOT EXISTS is no guard against another session
            // creating the same schema at that moment (a unique violation on pg_namespace, seen when
            // two runs start together on a new warehouse). The lock ends with the transaction.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock(hashtext('wharf: _wharf schema')); {PostgresAudit.CreateSql}", connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return new PostgresWarehouse(settings, time, DuckDbConnections.Open(null, limits?.ToSettings()));
    }

    /// <summary>Loads in one transaction; a transient failure (a dropped connection, a deadlock) starts the load over in a new one.</summary>
    public Task<IReadOnlyList<RunRecord>> LoadAsync(IReadOnlyList<LoadRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return PostgresRetry.RunAsync(async () =>
        {
            await using var session = await PostgresLoadSession.BeginAsync(settings, WorkArea, cancellationToken);
            return await loader.LoadAsync(session, requests, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>The new table is built in a transaction and a work-area connection of its own; a transient failure is not retried here (the caller loads the usual way instead).</summary>
    public async Task<PartedReplace?> BeginReplaceAsync(CancellationToken cancellationToken = default)
    {
        var workArea = OpenWorkArea();
        try
        {
            return new PartedReplace(loader, await PostgresLoadSession.BeginAsync(settings, workArea, cancellationToken), workArea);
        }
        catch
        {
            workArea.Dispose();
            throw;
        }
    }

    /// <summary>Streams the reader's rows into the table by binary COPY (aborted, not half-done, on a failure); returns how many.</summary>
    internal static Task<long> CopyAsync(NpgsqlConnection connection, string table, PostgresColumn.CopySource source, CancellationToken cancellationToken) =>
        // DuckDB's vectors are read synchronously, a chunk at a time; the loop runs on a pool thread
        // and writes the binary COPY format itself (see BinaryCopyWriter).
        Task.Run(async () =>
        {
            var (reader, columns) = source;
            long rows = 0;
            await using (var stream = await connection.BeginRawBinaryCopyAsync(
                $"COPY {table} ({string.Join(", ", columns.Select(c => Quote.Identifier(c.Name)))}) FROM STDIN (FORMAT BINARY)", cancellationToken))
            await using (var writer = new BinaryCopyWriter(stream))
            {
                try
                {
                    writer.WriteHeader();
                    var vectors = new DuckDbVector[columns.Count];
                    while (reader.Next())
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        for (var i = 0; i < vectors.Length; i++)
                        {
                            vectors[i] = reader.Column(i);
                        }

                        for (var row = 0; row < reader.Rows; row++)
                        {
                            writer.StartRow(vectors.Length);
                            for (var i = 0; i < vectors.Length; i++)
                            {
                                if (vectors[i].IsNull(row))
                                {
                                    writer.Null();
                                }
                                else
                                {
                                    columns[i].Write(writer, vectors[i], row);
                                }
                            }
                        }

                        rows += reader.Rows;
                    }

                    await writer.CompleteAsync(cancellationToken);
                }
                catch (Exception error)
                {
                    // Abort the COPY (CopyFail) rather than let disposal finish it with part of the
                    // rows. When the connection itself broke, there is nothing left to abort.
                    try
                    {
                        await stream.CancelAsync();
                    }
                    catch (Exception ex) when (ex is ObjectDisposedException or NpgsqlException or IOException)
                    {
                        // The connection is gone: the server rolls the COPY back by itself.
                    }

                    // DuckDB finds some errors (a failing cast) only as the rows stream.
                    if (error is DuckDB.NET.Data.DuckDBException duck)
                    {
                        throw new DuckDbException(duck);
                    }

                    throw;
                }
            }

            return rows;
        }, cancellationToken);

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        // One transaction: a reader between the row's delete and insert would see no row.
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await PostgresAudit.UpsertAsync(connection, record, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The advisory lock space of pipeline locks (the second key is the pipeline name's hash).</summary>
    private const int LockSpace = 0x57686172;

    public async Task<IAsyncDisposable> LockPipelineAsync(string pipeline, string holder, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        try
        {
            // The session's application_name tells a second run who holds the lock.
            await ScalarAsync(connection, "SELECT set_config('application_name', $1, false)", $"wharf {holder}"[..Math.Min(63, holder.Length + 6)], cancellationToken);
            var deadline = time.GetUtcNow() + wait;
            while (!(bool)(await ScalarAsync(connection, $"SELECT pg_try_advisory_lock({LockSpace}, hashtext($1))", pipeline, cancellationToken))!)
            {
                if (time.GetUtcNow() >= deadline)
                {
                    var other = await ScalarAsync(connection, $"""
                        SELECT a.application_name || coalesce(' from ' || host(a.client_addr), '') || ', connected since ' || to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'
                        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = {LockSpace}::oid AND l.objid = (hashtext($1)::bigint & 4294967295)::oid
                        """, pipeline, cancellationToken);
                    throw new PipelineLockedException(pipeline, other?.ToString() ?? "another run",
                        $"Pipeline '{pipeline}' is already running against the warehouse {Description}: {other ?? "another run"}. Two runs of one pipeline never write at once; " +
                        "wait for it to finish, or pass --wait SECONDS to queue behind it.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }

            return new AdvisoryLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, string parameter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>Held by its session: released when disposed, or by the server when the process dies.</summary>
    private sealed class AdvisoryLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await unlock.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException)
            {
                // The session is gone, and its locks with it.
            }

            await connection.DisposeAsync();
        }
    }

    public async Task<IReadOnlyList<Incremental.StreamState>> StartPipelineAsync(string pipeline, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        await PostgresAudit.MarkInterruptedAsync(connection, pipeline, cancellationToken);
        return await PostgresAudit.ReadStateAsync(connection, pipeline, cancellationToken);
    }

    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(int last, string? pipeline = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        return await PostgresAudit.ListAsync(connection, last, pipeline, cancellationToken);
    }

    public async Task<bool> IsEmptyAsync(string schema, string table, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        if (await ScalarAsync(connection, "SELECT to_regclass($1)::text", Quote.Qualified(schema, table), cancellationToken) is null)
        {
            return true;
        }

        await using var any = new NpgsqlCommand($"SELECT 1 FROM {Quote.Qualified(schema, table)} LIMIT 1", connection);
        return await any.ExecuteScalarAsync(cancellationToken) is null;
    }

    public async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken = default) =>
        await PostgresConnector.OpenAsync(settings, cancellationToken);

    /// <summary>Types whose .NET values are exact and total; every other column comes back as PostgreSQL's own text.</summary>
    private static readonly HashSet<string> BinaryResultTypes = new(StringComparer.Ordinal)
    {
        "smallint", "integer", "bigint", "real", "double precision", "boolean", "text", "character varying", "character", "name", "uuid",
    };

    /// <summary>Nothing to change: the server streams a table to its client without keeping it.</summary>
    public IDisposable? ScanWholeTable() => null;

    /// <summary>
    /// Runs a query. Columns whose values .NET cannot always hold (intervals with months, BC dates,
    /// infinity, numerics past 28 digits) come back as PostgreSQL's text form, so every value prints exactly.
    /// </summary>
    public DbDataReader Query(string sql)
    {
        // Synchronous, as the library's Query is: Npgsql's own synchronous I/O, not a wait on async code.
        var connection = PostgresConnector.Open(settings);
        try
        {
            bool[] asText;
            using (var describe = new NpgsqlCommand(sql, connection))
            using (var schema = describe.ExecuteReader(CommandBehavior.SchemaOnly))
            {
                asText = [.. Enumerable.Range(0, schema.FieldCount).Select(i => !BinaryResultTypes.Contains(schema.GetDataTypeName(i)))];
            }

            using var command = new NpgsqlCommand(sql, connection) { UnknownResultTypeList = asText.Length == 0 ? null : asText };
            return command.ExecuteReader(CommandBehavior.CloseConnection);
        }
        catch (PostgresException ex)
        {
            connection.Dispose();
            throw new QueryException(sql, $"The query failed: {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
        }
    }

    public async Task DropForeignKeysAsync(string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        await using var find = new NpgsqlCommand("""
            SELECT c.conname, n.nspname, r.relname FROM pg_constraint c
            JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
            LEFT JOIN pg_class f ON f.oid = c.confrelid
            WHERE c.contype = 'f' AND c.conname LIKE 'wharf\_fk\_%' AND n.nspname = $1 AND (r.relname = ANY($2) OR f.relname = ANY($2))
            """, connection);
        find.Parameters.Add(new NpgsqlParameter { Value = schema });
        find.Parameters.Add(new NpgsqlParameter { Value = tables.ToArray() });
        var drops = new List<string>();
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                drops.Add($"ALTER TABLE {Quote.Qualified(reader.GetString(1), reader.GetString(2))} DROP CONSTRAINT {Quote.Identifier(reader.GetString(0))}");
            }
        }

        if (drops.Count > 0)
        {
            await ExecuteAsync(connection, string.Join(";\n", drops), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<string>> ApplyKeysAsync(string schema, IReadOnlyList<TableKeys> tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            foreach (var table in tables.Where(t => t.PrimaryKey.Count > 0))
            {
                await ExecuteAsync(connection, $"""
                    DO $$ BEGIN
                      IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'p' AND conrelid = {Quote.Literal(Quote.Qualified(schema, table.Table))}::regclass) THEN
                        ALTER TABLE {Quote.Qualified(schema, table.Table)} ADD PRIMARY KEY ({string.Join(", ", table.PrimaryKey.Select(Quote.Identifier))});
                      END IF;
                    END $$
                    """, cancellationToken);
            }

            foreach (var table in tables)
            {
                for (var i = 0; i < table.ForeignKeys.Count; i++)
                {
                    var key = table.ForeignKeys[i];
                    await ExecuteAsync(connection,
                        $"ALTER TABLE {Quote.Qualified(schema, table.Table)} ADD CONSTRAINT {Quote.Identifier($"wharf_fk_{table.Table}_{i + 1}")} " +
                        $"FOREIGN KEY ({string.Join(", ", key.Columns.Select(Quote.Identifier))}) " +
                        $"REFERENCES {Quote.Qualified(schema, key.ReferencedTable)} ({string.Join(", ", key.ReferencedColumns.Select(Quote.Identifier))})",
                        cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return [];
        }
        catch (PostgresException ex)
        {
            throw new LoadException(schema, "", $"Recreating keys in {schema} failed and was rolled back (the data is loaded): {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
        }
    }

    public void Dispose()
    {
        WorkArea.Dispose();
    }
}
