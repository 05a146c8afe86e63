using System.Collections.Immutable;
using DuckDB.NET.Data;
using Wharf.Dialects;
using Wharf.DuckDb;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Schema;
using Wharf.Staging;

namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// A load in the DuckDB warehouse, which is also the work area: rows go from the lake files to the
/// table in SQL, without leaving DuckDB.
/// </summary>
internal sealed class DuckDbLoadSession : ILoadSession
{
    /// <summary>Rows committed since the last checkpoint from which one is made even when the stream's run goes on (see <see cref="CommitAsync"/>).</summary>
    private const long CheckpointRows = 1_000_000;

    private readonly DuckDBConnection connection;
    private readonly UncheckpointedWork uncheckpointed;
    private bool open;

    private DuckDbLoadSession(DuckDBConnection connection, UncheckpointedWork uncheckpointed)
    {
        this.connection = connection;
        this.uncheckpointed = uncheckpointed;
    }

    /// <param name="uncheckpointed">What the warehouse committed since its file was last checkpointed, which the commit keeps.</param>
    public static async Task<DuckDbLoadSession> BeginAsync(DuckDBConnection connection, UncheckpointedWork uncheckpointed, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("BEGIN TRANSACTION", cancellationToken);
        return new DuckDbLoadSession(connection, uncheckpointed) { open = true };
    }

    public SqlDialect Dialect => SqlDialect.DuckDb;

    public DuckDBConnection WorkArea => connection;

    public Task<(string RunId, string? Watermark)?> ReadStateAsync(string pipeline, string stream, CancellationToken cancellationToken)
    {
        using var found = connection.Query("SELECT run_id, watermark FROM _wharf.state WHERE pipeline = $1 AND stream = $2", pipeline, stream);
        return Task.FromResult<(string, string?)?>(found.Read() ? (found.GetString(0), found.IsDBNull(1) ? null : found.GetString(1)) : null);
    }

    public Task<RunRecord?> ReadRecordAsync(string runId, string pipeline, string stream, CancellationToken cancellationToken)
    {
        using var found = connection.Query($"SELECT {RunRecordReader.Columns} FROM _wharf.runs WHERE run_id = $1 AND pipeline = $2 AND stream = $3", runId, pipeline, stream);
        return Task.FromResult(found.Read() ? RunRecordReader.Read(found) : null);
    }

    public Task<IReadOnlyList<TableColumn>?> DescribeAsync(string schema, string table, CancellationToken cancellationToken)
    {
        using var reader = connection.Query(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = $1 AND table_name = $2 ORDER BY column_index",
            schema, table);
        var columns = new List<TableColumn>();
        while (reader.Read())
        {
            columns.Add(new TableColumn(reader.GetString(0), LogicalType.FromDuckDb(reader.GetString(1))));
        }

        return Task.FromResult<IReadOnlyList<TableColumn>?>(columns.Count == 0 ? null : columns);
    }

    public Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken) => connection.ExecuteAsync(sql, cancellationToken);

    public Task<long> CountAsync(string sql, CancellationToken cancellationToken) => Task.FromResult((long)(connection.Scalar(sql) ?? 0L));

    /// <summary>The referenced table is in this database: the check reads it directly.</summary>
    public Task<string> ReferenceAsync(string schema, CheckSettings check, CancellationToken cancellationToken) =>
        Task.FromResult(CheckSql.DirectReference(schema, check));

    // The work area is the warehouse's own connection.
    public async Task FetchAsync(string sql, string workAreaTable, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync($"INSERT INTO {workAreaTable} {sql}", cancellationToken);

    public async Task CreateTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {write.Target} AS {rows.Sql} LIMIT 0", cancellationToken);

    /// <summary>
    /// Adds and widens columns. DuckDB cannot change the type of a primary key column (keys: true),
    /// so a table whose key is widened is rebuilt with the new types and its key added back,
    /// inside the load's transaction.
    /// </summary>
    public async Task EvolveAsync(TableWrite write, SchemaPlan plan, LakeSelect rows, CancellationToken cancellationToken)
    {
        foreach (var sql in DuckDbSchemaChanges.For(connection, write, plan))
        {
            await connection.ExecuteAsync(sql, cancellationToken);
        }
    }

    public async Task<long> ReplaceTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken)
    {
        // Inside the transaction, so readers see the old table until COMMIT and a failure keeps it.
        // DuckDB reports no row count for CREATE TABLE AS; counting a fresh table reads only its row groups' headers.
        await connection.ExecuteAsync($"CREATE OR REPLACE TABLE {write.Target} AS {rows.Sql}", cancellationToken);
        return (long)connection.Scalar($"SELECT count(*) FROM {write.Target}")!;
    }

    // A replace is one CREATE OR REPLACE TABLE here, never built part by part (DuckDbWarehouse
    // begins no PartedReplace): DuckDB's CHECKPOINT fails while any other transaction runs, so one
    // held open through an extract would fail the checkpoints other streams' commits make (CommitAsync).
    public Task<long> AddToNewTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The DuckDB warehouse replaces a table in one statement (ReplaceTableAsync).");

    public Task SwapInNewTableAsync(TableWrite write, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The DuckDB warehouse replaces a table in one statement (ReplaceTableAsync).");

    public Task<long> InsertAsync(string table, string sql, IReadOnlyList<string> columns, CancellationToken cancellationToken) =>
        connection.ExecuteAsync($"INSERT INTO {table} BY NAME {sql}", cancellationToken);

    public async Task StageAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken)
    {
        var staged = rows.Sql;
        if (write.IsKeyed && rows.PrimaryKey.Count > 0)
        {
            var keys = string.Join(", ", rows.PrimaryKey.Select(Quote.Identifier));
            staged = $"SELECT * EXCLUDE ({LakeSelect.FileColumn}, {LakeSelect.RowColumn}) FROM ({rows.OrderedSql ?? write.OrderedRows().Sql}) " +
                $"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {LakeSelect.FileColumn} DESC, {LakeSelect.RowColumn} DESC) = 1";
        }

        await connection.ExecuteAsync(Dialect.TempTable(TableWrite.Stage, staged), cancellationToken);
    }

    public Task<long> DeleteMissingAsync(LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present, CancellationToken cancellationToken) =>
        DuckDbDeletes.ApplyAsync(connection, request, write, present, cancellationToken);

    public Task RecordAsync(RunRecord record, StreamState? state, CancellationToken cancellationToken)
    {
        DuckDbAudit.Upsert(connection, record);
        if (state is not null)
        {
            DuckDbAudit.SaveState(connection, state);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Commits, then writes what is committed to the database file inside the run rather than at
    /// close, so the run's reported time is the real cost and the WAL stays small: once
    /// <see cref="CheckpointRows"/> rows have been committed since the last checkpoint, and at the
    /// run's end, once for all its streams (<see cref="DuckDbWarehouse.EndRunAsync"/>): a checkpoint
    /// rewrites every table changed since the last one, the audit table's 35 columns among them, so
    /// one after each stream cost a run of three small pipelines a quarter of its time and a third
    /// of its memory (bench/README.md). Until a checkpoint DuckDB holds what was written in memory
    /// (a 20M-row load in 250k-row chunks peaked at 586 MB without one, 289 MB with one per 1M rows).
    /// Not after every chunk: a checkpoint's cost grows with the table, not with the rows since the
    /// last one, so one per chunk made a 5M-row chunked load twice as slow as one per 1M rows, and a
    /// 20M-row one twice as slow again (27.3 s against 13.1 s, bench/README.md). A committed chunk is
    /// safe in the WAL meanwhile. If another connection's transaction holds the checkpoint off,
    /// DuckDB makes it later, and the rows stay counted.
    /// </summary>
    public async Task CommitAsync(LoadRequest request, long rowsWritten, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("COMMIT", cancellationToken);
        open = false;
        uncheckpointed.Rows += rowsWritten;
        uncheckpointed.Any = true;
        if (uncheckpointed.Rows >= CheckpointRows && await CheckpointAsync(request, cancellationToken))
        {
            uncheckpointed.Checkpointed();
        }
    }

    /// <summary>Checkpoints; false when another connection's open transaction (a parallel extraction) holds it off: the WAL keeps the loads.</summary>
    /// <exception cref="LoadException">The checkpoint failed for another reason (a full disk): the run fails rather than pass silently.</exception>
    private Task<bool> CheckpointAsync(LoadRequest request, CancellationToken cancellationToken) =>
        CheckpointAsync(connection, $"{request.Schema}.{request.Table}", request.Record.RunId, cancellationToken);

    /// <summary>Checkpoints after the loads of <paramref name="table"/>; false when another connection's transaction holds it off.</summary>
    /// <exception cref="LoadException">The checkpoint failed for another reason (a full disk): the run fails rather than pass silently.</exception>
    internal static async Task<bool> CheckpointAsync(DuckDBConnection connection, string table, string runId, CancellationToken cancellationToken)
    {
        try
        {
            return await DuckDbCheckpoint.TryAsync(connection, cancellationToken);
        }
        catch (DuckDbException ex)
        {
            throw new LoadException(table, runId,
                $"The load of {table} is committed, but DuckDB could not write it to the warehouse file (CHECKPOINT): {ex.Summary} " +
                "What is committed is safe in the write-ahead log (the .wal file beside it) as long as that file is kept; fix the cause (e.g. free disk space) and run again.", ex);
        }
    }

    public LoadException? Explain(Exception error, LoadRequest request) => error is DuckDbException duck
        ? new LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
            $"Loading {request.Schema}.{request.Table} failed and was rolled back; the table and its state are as they were. DuckDB said: {duck.Summary}" +
            (DuckDbException.IsOutOfMemory(duck) ? $" The load needs more memory than the warehouse's limit (wide rows take more: DuckDB builds each row group of 122,880 rows in memory): {DuckDbException.RaiseMemoryLimit}."
            : request.Mode != WriteMode.Replace ? " If the source's columns changed, run once with --full-refresh (or mode: replace) to rebuild the table." : ""), duck)
        : null;

    public ValueTask DisposeAsync()
    {
        if (open)
        {
            open = false;
            try
            {
                connection.Execute("ROLLBACK");
            }
            catch (DuckDbException)
            {
                // No transaction left to roll back: DuckDB already aborted it.
            }
        }

        return ValueTask.CompletedTask;
    }
}
