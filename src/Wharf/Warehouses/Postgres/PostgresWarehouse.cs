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
    private PostgresWarehouse(ConnectionSettings settings, TimeProvider time, DuckDBConnection workArea)
    {
        this.settings = settings;
        this.time = time;
        WorkArea = workArea;
    }

    public DuckDBConnection WorkArea { get; }

    public SqlDialect Dialect => SqlDialect.Postgres;

    public DuckDBConnection OpenWorkArea() => DuckDb.DuckDbWarehouse.WithProgressTracking(DuckDbConnections.Another(WorkArea));

    /// <summary>Where the warehouse is, safe to print.</summary>
    public string Description => PostgresConnectionString.Describe(settings);

    public static async Task<PostgresWarehouse> OpenAsync(ConnectionSettings settings, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await using (var connection = await PostgresConnector.OpenAsync(settings, cancellationToken))
        {
            await using var command = new NpgsqlCommand(PostgresAudit.CreateSql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new PostgresWarehouse(settings, time, DuckDb.DuckDbWarehouse.WithProgressTracking(DuckDbConnections.Open(null)));
    }

    public async Task<RunRecord> LoadAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var table = $"{request.Schema}.{request.Table}";
        try
        {
            return await PostgresRetry.RunAsync(() => LoadOnceAsync(request, cancellationToken), cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new LoadException(table, request.Record.RunId,
                $"Loading {table} into PostgreSQL ({Description}) failed and was rolled back; the table and the audit are as they were. " +
                $"PostgreSQL said: {ex.MessageText} (SQLSTATE {ex.SqlState}).{Hint(ex, request)}", ex);
        }
        catch (NpgsqlException ex)
        {
            throw new LoadException(table, request.Record.RunId,
                $"Loading {table} into PostgreSQL ({Description}) failed and was rolled back: {PostgresErrors.Explain(ex)}", ex);
        }
    }

    private static string Hint(PostgresException ex, LoadRequest request) => ex.SqlState switch
    {
        PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.DatatypeMismatch when request.Mode != WriteMode.Replace =>
            " The extract's columns differ from the table's; run once with --full-refresh (or mode: replace) to rebuild it.",
        PostgresErrorCodes.DependentObjectsStillExist =>
            " Views depend on the table, so replace cannot swap it; drop them or use mode: merge.",
        _ => "",
    };

    private async Task<RunRecord> LoadOnceAsync(LoadRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (request is { Expected: { } expected, State: { } next })
        {
            // FOR UPDATE: a concurrent writer of the same stream waits here, then sees this load's row.
            await using var read = new NpgsqlCommand("SELECT run_id, watermark FROM _wharf.state WHERE pipeline = $1 AND stream = $2 FOR UPDATE", connection);
            read.Parameters.Add(new NpgsqlParameter { Value = next.Pipeline });
            read.Parameters.Add(new NpgsqlParameter { Value = next.Stream });
            string? runId = null, watermark = null;
            await using (var found = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (await found.ReadAsync(cancellationToken))
                {
                    (runId, watermark) = (found.GetString(0), found.IsDBNull(1) ? null : found.GetString(1));
                }
            }

            if (expected.Check(next, runId, watermark) == Incremental.StateExpectation.Verdict.AlreadyCommitted)
            {
                return LoadResult.Complete(request with { Files = [] }, default, time.GetUtcNow());
            }
        }

        var existing = request.Recreate ? null : await DescribeAsync(connection, request.Schema, request.Table, cancellationToken);
        var staged = request.Files.IsEmpty ? null : StagedLoad.Prepare(WorkArea, request, existing, check => Reference(request, check));
        var write = TableWrite.For(request, postgres: true, staged?.Rows);
        await ExecuteAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {Quote.Identifier(request.Schema)}", cancellationToken);
        if (request.Recreate)
        {
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {write.Target}", cancellationToken);
        }

        var counts = staged is null or { Schema.DiscardAll: true } ? default
            : await WriteAsync(connection, request, write, existing is null ? null : staged.Schema, cancellationToken);
        if (staged?.Quarantine is { } quarantine)
        {
            var table = StagedLoad.QuarantineTable(request.Table);
            var quarantined = (await DescribeAsync(connection, request.Schema, table, cancellationToken))?.Select(c => c.Name).ToList();
            foreach (var sql in staged.QuarantineDdl(Quote.Qualified(request.Schema, table), quarantined, request.RowsRunId))
            {
                await ExecuteAsync(connection, sql, cancellationToken);
            }

            using var source = PostgresColumn.Query(WorkArea, quarantine, staged.QuarantineColumns);
            staged = staged.WithQuarantined(await CopyAsync(connection, Quote.Qualified(request.Schema, table), source, cancellationToken), request.Schema, request.Table);
        }
        if (request.PresentKeys is { } present)
        {
            counts = counts with { Deleted = await PostgresDeletes.ApplyAsync(connection, WorkArea, request, write, present, cancellationToken) };
        }

        var record = LoadResult.Complete(request, counts, time.GetUtcNow(), staged);
        await PostgresAudit.UpsertAsync(connection, record, cancellationToken);
        if (request.State is { } state)
        {
            await PostgresAudit.SaveStateAsync(connection, state, cancellationToken);
        }

        FailPoint.Hit(FailPoint.BeforeCommit);
        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    private static string Definition(IEnumerable<PostgresColumn> columns) =>
        string.Join(", ", columns.Select(c => $"{Quote.Identifier(c.Name)} {c.Type}"));

    /// <summary>The table's columns; null when it does not exist.</summary>
    private static async Task<List<TableColumn>?> DescribeAsync(NpgsqlConnection connection, string schema, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Quote.Qualified(schema, table) });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<TableColumn>();
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(new TableColumn(reader.GetString(0), LogicalType.FromPostgres(reader.GetString(1))));
        }

        return columns.Count == 0 ? null : columns;
    }

    /// <summary>
    /// A relationships check's allowed values. Checks run in the DuckDB work area, so the referenced
    /// column's distinct values are copied there first (as text, which is how they are compared).
    /// </summary>
    private string Reference(LoadRequest request, CheckSettings check)
    {
        var (schema, table) = CheckSql.ReferencedTable(request.Schema, check);
        var copy = $"__wharf_ref_{(uint)StringComparer.Ordinal.GetHashCode(check.Name):x}";
        WorkArea.Execute($"CREATE OR REPLACE TEMP TABLE {copy} (v VARCHAR)");
        using (var reader = Query($"SELECT DISTINCT CAST({Quote.Identifier(check.ToColumn!)} AS text) FROM {Quote.Qualified(schema, table)}"))
        using (var appender = WorkArea.OpenAppender(copy, "main", "temp"))
        {
            appender.AppendReader(reader);
            appender.Complete();
        }

        return $"SELECT v FROM {copy}";
    }

    /// <param name="evolve">The table's schema changes to make first (columns added or widened); null for a new table.</param>
    private async Task<TableWrite.Counts> WriteAsync(NpgsqlConnection connection, LoadRequest request, TableWrite write, SchemaPlan? evolve, CancellationToken cancellationToken)
    {
        var select = write.Rows!;
        using var source = PostgresColumn.Query(WorkArea, select.Sql, select.Columns);
        var columns = source.Columns;
        var definition = Definition(columns);
        if (request.Mode == WriteMode.Replace)
        {
            // Built beside the old table and swapped in at commit: readers never see a half table.
            var fresh = Quote.Qualified(request.Schema, request.Table + "__wharf_new");
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {fresh}; CREATE TABLE {fresh} ({definition})", cancellationToken);
            var rows = await CopyAsync(connection, fresh, source, cancellationToken);
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {write.Target}; ALTER TABLE {fresh} RENAME TO {Quote.Identifier(request.Table)}", cancellationToken);
            return new(rows, 0, 0);
        }

        var extra = string.Concat(write.ExtraColumns.Select(c => $", {c.Name} {c.Type}"));
        var key = write.IsKeyed && write.TableKey.Count > 0 ? $", PRIMARY KEY ({string.Join(", ", write.TableKey.Select(Quote.Identifier))})" : "";
        await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS {write.Target} ({definition}{extra}{key})", cancellationToken);
        foreach (var change in evolve?.Added.Concat(evolve.Widened) ?? [])
        {
            var type = columns.First(c => c.Name == change.Name).Type;
            await ExecuteAsync(connection, change.From is null
                ? $"ALTER TABLE {write.Target} ADD COLUMN {Quote.Identifier(change.Name)} {type}"
                : $"ALTER TABLE {write.Target} ALTER COLUMN {Quote.Identifier(change.Name)} TYPE {type} USING {Quote.Identifier(change.Name)}::{type}", cancellationToken);
        }

        if (!write.IsKeyed && !write.SkipsLoadedRows)
        {
            if (write.ForgetRun is { } forget)
            {
                await ExecuteAsync(connection, forget, cancellationToken);
            }

            return new(await CopyAsync(connection, write.Target, source, cancellationToken), 0, 0);
        }

        // Rows go by COPY into a temporary table; merge and scd2 keep the last version of each key.
        var copied = write.IsKeyed ? "__wharf_copy" : TableWrite.Stage;
        await ExecuteAsync(connection, $"CREATE TEMP TABLE {copied} ({definition}) ON COMMIT DROP", cancellationToken);
        await CopyAsync(connection, copied, source, cancellationToken);
        foreach (var sql in write.AddExtraColumns())
        {
            await ExecuteAsync(connection, sql, cancellationToken);
        }

        Task<long> Execute(string sql) => ExecuteAsync(connection, sql, cancellationToken);
        async Task<long> Count(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (write.IsKeyed)
        {
            if (select.PrimaryKey.Count > 0)
            {
                var keys = string.Join(", ", select.PrimaryKey.Select(Quote.Identifier));
                await Execute(write.TempTable(TableWrite.Stage, $"SELECT DISTINCT ON ({keys}) * FROM {copied} ORDER BY {keys}, ctid DESC"));
            }

            await write.CheckKeysAsync(Count);
        }

        await Execute($"ANALYZE {TableWrite.Stage}");
        return await write.WriteAsync(Execute, Count);
    }

    /// <summary>Streams the reader's rows into the table by binary COPY (aborted, not half-done, on a failure); returns how many.</summary>
    internal static Task<long> CopyAsync(NpgsqlConnection connection, string table, PostgresColumn.CopySource source, CancellationToken cancellationToken) =>
        // DuckDB's reader is synchronous per value; the loop runs on a pool thread and writes the
        // binary COPY format itself (see BinaryCopyWriter).
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
                    while (reader.Read())
                    {
                        writer.StartRow(columns.Count);
                        for (var i = 0; i < columns.Count; i++)
                        {
                            if (reader.IsDBNull(i))
                            {
                                writer.Null();
                            }
                            else
                            {
                                columns[i].Write(writer, reader, i);
                            }
                        }

                        if ((++rows & 0xFFFF) == 0)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                        }
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
        await using var connection = await PostgresConnector.OpenAsync(settings, cancellationToken);
        await PostgresAudit.UpsertAsync(connection, record, cancellationToken);
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
                    throw new WharfException(
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

    /// <summary>Types whose .NET values are exact and total; every other column comes back as PostgreSQL's own text.</summary>
    private static readonly HashSet<string> BinaryResultTypes = new(StringComparer.Ordinal)
    {
        "smallint", "integer", "bigint", "real", "double precision", "boolean", "text", "character varying", "character", "name", "uuid",
    };

    /// <summary>
    /// Runs a query. Columns whose values .NET cannot always hold (intervals with months, BC dates,
    /// infinity, numerics past 28 digits) come back as PostgreSQL's text form, so every value prints exactly.
    /// </summary>
    public DbDataReader Query(string sql)
    {
        var connection = PostgresConnector.OpenAsync(settings).GetAwaiter().GetResult();
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
            throw new WharfException($"The query failed: {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
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
