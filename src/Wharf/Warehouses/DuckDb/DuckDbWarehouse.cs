using DuckDB.NET.Data;
using System.Data.Common;
using Wharf.DuckDb;
using Wharf.Incremental;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Quality;
using Wharf.Schema;
using Wharf.Staging;
using Wharf.Dialects;

namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// The embedded warehouse: one DuckDB file. It is also the work area, so an extract goes from
/// source to lake to table without leaving DuckDB.
/// </summary>
internal sealed class DuckDbWarehouse : IWarehouse
{
    /// <summary>Rows written by one load from which it is checkpointed even when the stream's run goes on (see <see cref="CheckpointAsync"/>).</summary>
    private const long CheckpointRows = 100_000;

    private readonly DuckDBConnection connection;
    private readonly TimeProvider time;

    private DuckDbWarehouse(DuckDBConnection connection, TimeProvider time)
    {
        this.connection = connection;
        this.time = time;
    }

    public DuckDBConnection WorkArea => connection;

    public SqlDialect Dialect => SqlDialect.DuckDb;

    public DuckDBConnection OpenWorkArea() => WithProgressTracking(DuckDbConnections.Another(connection));

    // Progress is tracked (for the CLI's live line) but never printed by DuckDB itself.
    internal static DuckDBConnection WithProgressTracking(DuckDBConnection connection)
    {
        connection.Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false;");
        return connection;
    }

    /// <summary>Opens (creating if needed) the warehouse file.</summary>
    /// <exception cref="WharfException">The file is locked by another process or is not a DuckDB database.</exception>
    public static DuckDbWarehouse Open(string path, TimeProvider time, IReadOnlyDictionary<string, string>? settings = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DuckDBConnection connection;
        try
        {
            connection = DuckDbConnections.Open(path, settings);
        }
        catch (DuckDbException ex) when (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new WarehouseInUseException(
                $"The warehouse {path} is in use by another process ({ex.Summary}) " +
                "Wait for the other run to finish, or stop it, and try again (wharf run --wait SECONDS queues behind it).", ex);
        }

        try
        {
            WithProgressTracking(connection);
            DuckDbAudit.EnsureTables(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new DuckDbWarehouse(connection, time);
    }

    public async Task<RunRecord> LoadAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await connection.ExecuteAsync("BEGIN TRANSACTION", cancellationToken);
        try
        {
            if (request is { Expected: { } expected, State: { } next })
            {
                using var found = connection.Query("SELECT run_id, watermark FROM _wharf.state WHERE pipeline = $1 AND stream = $2", next.Pipeline, next.Stream);
                var row = found.Read();
                if (expected.Check(next, row ? found.GetString(0) : null, row && !found.IsDBNull(1) ? found.GetString(1) : null) == StateExpectation.Verdict.AlreadyCommitted)
                {
                    TryRollback();
                    return LoadResult.Complete(request with { Files = [] }, default, time.GetUtcNow());
                }
            }

            await connection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Quote.Identifier(request.Schema)}", cancellationToken);
            var existing = request.Recreate ? null : Describe(request.Schema, request.Table);
            var staged = request.Files.IsEmpty ? null : StagedLoad.Prepare(connection, request, existing, check => CheckSql.DirectReference(request.Schema, check));
            var write = TableWrite.For(request, postgres: false, staged?.Rows);
            if (request.Recreate)
            {
                await connection.ExecuteAsync($"DROP TABLE IF EXISTS {write.Target}", cancellationToken);
            }

            if (existing is not null && staged is not null && request.Mode != WriteMode.Replace)
            {
                foreach (var sql in Evolve(request, write.Target, staged.Schema))
                {
                    await connection.ExecuteAsync(sql, cancellationToken);
                }
            }

            var counts = staged is null or { Schema.DiscardAll: true } ? default : await WriteAsync(request, write, cancellationToken);
            if (staged?.Quarantine is { } quarantine)
            {
                var table = Quote.Qualified(request.Schema, StagedLoad.QuarantineTable(request.Table));
                foreach (var sql in staged.QuarantineDdl(table, Describe(request.Schema, StagedLoad.QuarantineTable(request.Table))?.Select(c => c.Name).ToList(), request.RowsRunId))
                {
                    await connection.ExecuteAsync(sql, cancellationToken);
                }

                var columns = string.Join(", ", staged.QuarantineColumns.Select(Quote.Identifier));
                staged = staged.WithQuarantined(
                    await connection.ExecuteAsync($"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({quarantine})", cancellationToken), request.Schema, request.Table);
            }
            if (request.PresentKeys is { } present)
            {
                counts = counts with { Deleted = await DuckDbDeletes.ApplyAsync(connection, request, write, present, cancellationToken) };
            }

            var record = LoadResult.Complete(request, counts, time.GetUtcNow(), staged);
            DuckDbAudit.Upsert(connection, record);
            if (request.State is { } state)
            {
                DuckDbAudit.SaveState(connection, state);
            }

            FailPoint.Hit(FailPoint.BeforeCommit);
            await connection.ExecuteAsync("COMMIT", cancellationToken);
            if (request.Final || counts.Inserted + counts.Updated + counts.Deleted >= CheckpointRows)
            {
                await CheckpointAsync(cancellationToken);
            }

            return record;
        }
        catch (Exception ex)
        {
            TryRollback();
            if (ex is DuckDbException or WharfException and not (LoadException or CheckFailedException or SchemaChangeException))
            {
                throw new LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
                    $"Loading {request.Schema}.{request.Table} failed and was rolled back; the table and its state are as they were. " +
                    (ex is DuckDbException duck ? $"DuckDB said: {duck.Summary}" : ex.Message) +
                    (ex is DuckDbException && request.Mode != WriteMode.Replace ? " If the source's columns changed, run once with --full-refresh (or mode: replace) to rebuild the table." : ""), ex);
            }

            throw;
        }
    }

    private async Task<TableWrite.Counts> WriteAsync(LoadRequest request, TableWrite write, CancellationToken cancellationToken)
    {
        var select = write.Rows!;
        if (request.Mode == WriteMode.Replace)
        {
            // Inside the transaction, so readers see the old table until COMMIT and a failure keeps it.
            // DuckDB reports no row count for CREATE TABLE AS; counting a fresh table reads only its row groups' headers.
            await connection.ExecuteAsync($"CREATE OR REPLACE TABLE {write.Target} AS {select.Sql}", cancellationToken);
            return new((long)connection.Scalar($"SELECT count(*) FROM {write.Target}")!, 0, 0);
        }

        if (!write.IsKeyed && !write.SkipsLoadedRows)
        {
            await connection.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {write.Target} AS {select.Sql} LIMIT 0", cancellationToken);
            if (write.ForgetRun is { } forget)
            {
                await connection.ExecuteAsync(forget, cancellationToken);
            }

            return new(await connection.ExecuteAsync($"INSERT INTO {write.Target} BY NAME {select.Sql}", cancellationToken), 0, 0);
        }

        // Merge and scd2 stage the last version of each key in the extract (latest file, latest row).
        var staged = select.Sql;
        if (write.IsKeyed && select.PrimaryKey.Count > 0)
        {
            var keys = string.Join(", ", select.PrimaryKey.Select(Quote.Identifier));
            staged = $"SELECT * EXCLUDE ({LakeSelect.FileColumn}, {LakeSelect.RowColumn}) FROM ({select.OrderedSql ?? LakeSelect.For(request, ordered: true).Sql}) " +
                $"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {LakeSelect.FileColumn} DESC, {LakeSelect.RowColumn} DESC) = 1";
        }

        await connection.ExecuteAsync(write.TempTable(TableWrite.Stage, staged), cancellationToken);
        await connection.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {write.Target} AS SELECT * FROM {TableWrite.Stage} LIMIT 0", cancellationToken);
        foreach (var sql in write.AddExtraColumns())
        {
            await connection.ExecuteAsync(sql, cancellationToken);
        }

        Task<long> Execute(string sql) => connection.ExecuteAsync(sql, cancellationToken);
        Task<long> Count(string sql) => Task.FromResult((long)(connection.Scalar(sql) ?? 0L));
        if (write.IsKeyed)
        {
            await write.CheckKeysAsync(Count);
        }

        var counts = await write.WriteAsync(Execute, Count);
        await connection.ExecuteAsync($"DROP TABLE {TableWrite.Stage}", cancellationToken);
        return counts;
    }

    /// <summary>
    /// Writes committed loads to the database file inside the run rather than at close: the run's
    /// reported time is then the real cost, and the WAL stays small. After a stream's last load,
    /// and after any load of <see cref="CheckpointRows"/> rows or more: until a checkpoint DuckDB
    /// holds what was written in memory (a 5M-row first load in chunks peaked at 1.2 GB without
    /// them, 0.56 GB with). Not after a small chunk: a checkpoint costs ~0.1 s even for a few rows,
    /// and a committed chunk is safe in the WAL. Committed is committed: if another connection's
    /// transaction holds the checkpoint off, DuckDB makes it later.
    /// </summary>
    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            await connection.ExecuteAsync("CHECKPOINT", cancellationToken);
        }
        catch (DuckDbException)
        {
            // Another connection has a transaction open (a parallel extraction); the WAL keeps the load.
        }
    }

    private void TryRollback()
    {
        try
        {
            connection.Execute("ROLLBACK");
        }
        catch (DuckDbException)
        {
            // No transaction left to roll back: DuckDB already aborted it.
        }
    }

    /// <summary>
    /// The statements that add and widen the table's columns. DuckDB cannot change the type of a
    /// primary key column (keys: true), so a table whose key is widened is rebuilt with the new
    /// types and its key added back, inside the load's transaction.
    /// </summary>
    private List<string> Evolve(LoadRequest request, string target, SchemaPlan plan)
    {
        var statements = plan.Added.Select(c => $"ALTER TABLE {target} ADD COLUMN {Quote.Identifier(c.Name)} {c.To.ToDuckDb()}").ToList();
        var key = new List<string>();
        using (var reader = connection.Query(
            "SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE schema_name = $1 AND table_name = $2 AND constraint_type = 'PRIMARY KEY'",
            request.Schema, request.Table))
        {
            while (reader.Read())
            {
                key.Add(reader.GetString(0));
            }
        }

        if (!plan.Widened.Any(c => key.Contains(c.Name)))
        {
            statements.AddRange(plan.Widened.Select(c => $"ALTER TABLE {target} ALTER COLUMN {Quote.Identifier(c.Name)} SET DATA TYPE {c.To.ToDuckDb()}"));
            return statements;
        }

        var rebuilt = Quote.Qualified(request.Schema, request.Table + "__wharf_widened");
        var casts = string.Join(", ", plan.Widened.Select(c => $"CAST({Quote.Identifier(c.Name)} AS {c.To.ToDuckDb()}) AS {Quote.Identifier(c.Name)}"));
        statements.AddRange([
            $"CREATE TABLE {rebuilt} AS SELECT * REPLACE ({casts}) FROM {target}",
            $"DROP TABLE {target}",
            $"ALTER TABLE {rebuilt} RENAME TO {Quote.Identifier(request.Table)}",
            $"ALTER TABLE {target} ADD PRIMARY KEY ({string.Join(", ", key.Select(Quote.Identifier))})",
        ]);
        return statements;
    }

    /// <summary>The table's columns; null when it does not exist.</summary>
    private List<TableColumn>? Describe(string schema, string table)
    {
        using var reader = connection.Query(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 ORDER BY column_index",
            schema, table);
        var columns = new List<TableColumn>();
        while (reader.Read())
        {
            columns.Add(new TableColumn(reader.GetString(0), LogicalType.FromDuckDb(reader.GetString(1))));
        }

        return columns.Count == 0 ? null : columns;
    }

    public Task RecordAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        DuckDbAudit.Upsert(connection, record);
        return Task.CompletedTask;
    }

    /// <summary>Nothing to take: DuckDB lets one process at a time open the file, and the pipeline lock orders runs within it.</summary>
    public Task<IAsyncDisposable> LockPipelineAsync(string pipeline, string holder, TimeSpan wait, CancellationToken cancellationToken = default) =>
        Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public Task<IReadOnlyList<StreamState>> StartPipelineAsync(string pipeline, CancellationToken cancellationToken = default)
    {
        DuckDbAudit.MarkInterrupted(connection, pipeline);
        return Task.FromResult(DuckDbAudit.ReadState(connection, pipeline));
    }

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(int last, string? pipeline = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(DuckDbAudit.List(connection, last, pipeline));

    public Task<bool> IsEmptyAsync(string schema, string table, CancellationToken cancellationToken = default)
    {
        var exists = (long)connection.Scalar("SELECT count(*) FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2", schema, table)! > 0;
        return Task.FromResult(!exists || connection.Scalar($"SELECT 1 FROM {Quote.Qualified(schema, table)} LIMIT 1") is null);
    }

    public DbDataReader Query(string sql) => DuckDbResultReader.Open(connection, sql);

    /// <summary>DuckDB gets no foreign keys from Wharf (it cannot add them to existing tables), so there are none to drop.</summary>
    public Task DropForeignKeysAsync(string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async Task<IReadOnlyList<string>> ApplyKeysAsync(string schema, IReadOnlyList<TableKeys> tables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var notes = new List<string>();
        foreach (var table in tables.Where(t => t.PrimaryKey.Count > 0))
        {
            var existing = (long)(connection.Scalar(
                "SELECT count(*) FROM duckdb_constraints() WHERE schema_name = $1 AND table_name = $2 AND constraint_type = 'PRIMARY KEY'", schema, table.Table) ?? 0L);
            if (existing == 0)
            {
                try
                {
                    await connection.ExecuteAsync($"ALTER TABLE {Quote.Qualified(schema, table.Table)} ADD PRIMARY KEY ({string.Join(", ", table.PrimaryKey.Select(Quote.Identifier))})", cancellationToken);
                }
                catch (DuckDbException ex)
                {
                    throw new LoadException($"{schema}.{table.Table}", "", $"Recreating the primary key of {schema}.{table.Table} failed: {ex.Summary}", ex);
                }
            }
        }

        if (tables.Any(t => t.ForeignKeys.Count > 0))
        {
            notes.Add("foreign keys are not recreated in a DuckDB warehouse: DuckDB cannot add them to existing tables (primary keys were).");
        }

        return notes;
    }

    public void Dispose() => connection.Dispose();
}
