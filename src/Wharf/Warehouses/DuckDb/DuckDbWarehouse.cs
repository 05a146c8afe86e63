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
    private readonly DuckDBConnection connection;
    private readonly TableLoader loader;
    private readonly string path;
    private readonly string memoryLimit;
    private readonly IDisposable opened;

    /// <summary>What the loads committed since the file was last checkpointed (see <see cref="DuckDbLoadSession.CommitAsync"/>).</summary>
    private readonly UncheckpointedWork uncheckpointed = new();

    private DuckDbWarehouse(DuckDBConnection connection, string path, DuckDbLimits limits, TimeProvider time)
    {
        this.connection = connection;
        this.path = path;
        memoryLimit = limits.MemoryLimit;
        opened = LeanScans.Opened(path, connection);
        loader = new TableLoader(time);
    }

    public DuckDBConnection WorkArea => connection;

    public SqlDialect Dialect => SqlDialect.DuckDb;

    public DuckDBConnection OpenWorkArea() => DuckDbConnections.Another(connection);

    /// <summary>Opens the warehouse file, which must exist (a PostgreSQL warehouse's tables are made by its first run, so it has no such check).</summary>
    /// <exception cref="WarehouseNotFoundException">There is no file yet.</exception>
    public static DuckDbWarehouse OpenExisting(string path, TimeProvider time, DuckDbLimits? limits = null) => File.Exists(path)
        ? Open(path, time, limits)
        : throw new WarehouseNotFoundException(path, $"There is no warehouse at {path} yet. Run 'wharf run' first.");

    /// <summary>Opens (creating if needed) the warehouse file.</summary>
    /// <exception cref="WharfException">The file is locked by another process or is not a DuckDB database.</exception>
    public static DuckDbWarehouse Open(string path, TimeProvider time, DuckDbLimits? limits = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DuckDBConnection connection;
        try
        {
            connection = DuckDbConnections.Open(path, limits?.ToSettings());
        }
        catch (DuckDbException ex) when (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new WarehouseInUseException(
                $"The warehouse {path} is in use by another process ({ex.Summary}) " +
                "Wait for the other run to finish, or stop it, and try again (wharf run --wait SECONDS queues behind it).", ex);
        }

        try
        {
            DuckDbAudit.EnsureTables(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new DuckDbWarehouse(connection, path, limits ?? DuckDbLimits.Default, time);
    }

    public async Task<IReadOnlyList<RunRecord>> LoadAsync(IReadOnlyList<LoadRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        await using var session = await DuckDbLoadSession.BeginAsync(connection, uncheckpointed, cancellationToken);
        return await loader.LoadAsync(session, requests, cancellationToken);
    }

    /// <summary>Writes the audit row again (the run's end checkpoints it with the loads, <see cref="EndRunAsync"/>).</summary>
    public Task RecordAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);

        // One transaction: the row is replaced (delete, insert), and a reader in between (the
        // server's API) must see the old row or the new one, never none.
        using (var transaction = connection.BeginTransaction())
        {
            DuckDbAudit.Upsert(connection, record);
            transaction.Commit();
        }

        uncheckpointed.Any = true;
        return Task.CompletedTask;
    }

    /// <summary>Checkpoints what the run committed, once for all its streams (see <see cref="DuckDbLoadSession.CommitAsync"/>).</summary>
    /// <exception cref="LoadException">The checkpoint failed (a full disk): what is committed is in the WAL.</exception>
    public async Task EndRunAsync(RunRecord last, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(last);
        if (uncheckpointed.Any && await DuckDbLoadSession.CheckpointAsync(connection, last.Target, last.RunId, cancellationToken))
        {
            uncheckpointed.Checkpointed();
        }
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

    public Task<DbConnection> ConnectAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<DbConnection>(DuckDbConnections.Another(connection));

    /// <exception cref="QueryException">DuckDB rejected the query (an error found while its rows stream comes from the reader's <c>Read</c>).</exception>
    public DbDataReader Query(string sql)
    {
        try
        {
            return DuckDbResultReader.Open(connection, sql);
        }
        catch (DuckDbException ex)
        {
            throw new QueryException(sql, $"The query failed: {ex.Summary}", ex);
        }
    }

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

    public IDisposable? ScanWholeTable() => LeanScans.Begin(path, connection, memoryLimit);

    public void Dispose()
    {
        opened.Dispose();
        connection.Dispose();
    }
}
