using System.Data.Common;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Schema;

namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// The embedded warehouse: one DuckDB file. It is also the work area, so an extract goes from
/// source to lake to table without leaving DuckDB.
/// </summary>
public sealed class DuckDbWarehouse : IWarehouse
{
    private readonly DuckDbDatabase database;
    private readonly DuckDbConnection connection;
    private readonly TimeProvider time;

    private DuckDbWarehouse(DuckDbDatabase database, DuckDbConnection connection, TimeProvider time)
    {
        this.database = database;
        this.connection = connection;
        this.time = time;
    }

    public DuckDbConnection WorkArea => connection;

    public DuckDbConnection OpenWorkArea() => WithProgressTracking(database.Connect());

    // Progress is tracked (for the CLI's live line) but never printed by DuckDB itself.
    internal static DuckDbConnection WithProgressTracking(DuckDbConnection connection)
    {
        connection.Execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false;");
        return connection;
    }

    /// <summary>Opens (creating if needed) the warehouse file.</summary>
    /// <exception cref="WharfException">The file is locked by another process or is not a DuckDB database.</exception>
    public static DuckDbWarehouse Open(string path, TimeProvider time, IReadOnlyDictionary<string, string>? settings = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DuckDbDatabase database;
        try
        {
            database = DuckDbDatabase.Open(path, settings);
        }
        catch (DuckDbException ex) when (ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new WharfException(
                $"The warehouse {path} is in use by another process ({ex.Summary}) " +
                "Wait for the other run to finish, or stop it, and try again.", ex);
        }

        var connection = database.Connect();
        try
        {
            WithProgressTracking(connection);
            DuckDbAudit.EnsureTables(connection);
        }
        catch
        {
            connection.Dispose();
            database.Dispose();
            throw;
        }

        return new DuckDbWarehouse(database, connection, time);
    }

    public async Task<RunRecord> LoadAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = Quote.Qualified(request.Schema, request.Table);
        var select = LakeSelect.For(request).Sql;
        await connection.ExecuteAsync("BEGIN TRANSACTION", cancellationToken);
        try
        {
            await connection.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Quote.Identifier(request.Schema)}", cancellationToken);
            long rows;
            if (request.Mode == WriteMode.Replace)
            {
                // Inside the transaction, so readers see the old table until COMMIT and a failure keeps it.
                rows = await connection.ExecuteAsync($"CREATE OR REPLACE TABLE {target} AS {select}", cancellationToken);
            }
            else if (request.Mode == WriteMode.Merge)
            {
                await connection.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {target} AS {select} LIMIT 0", cancellationToken);
                rows = await MergeAsync(request, target, cancellationToken);
            }
            else
            {
                await connection.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {target} AS {select} LIMIT 0", cancellationToken);
                rows = await connection.ExecuteAsync($"INSERT INTO {target} BY NAME {select}", cancellationToken);
            }

            var record = request.Record with { RowsLoaded = rows, Status = RunStatus.Succeeded, FinishedAt = time.GetUtcNow() };
            DuckDbAudit.Insert(connection, record);
            await connection.ExecuteAsync("COMMIT", cancellationToken);

            // Write the load to the database file now, inside the run, rather than at close:
            // the run's reported time is then the real cost, and the WAL stays small.
            await connection.ExecuteAsync("CHECKPOINT", cancellationToken);
            return record;
        }
        catch (Exception ex)
        {
            TryRollback();
            if (ex is DuckDbException duck)
            {
                throw new LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
                    $"Loading {request.Schema}.{request.Table} failed and was rolled back; the table is as it was. DuckDB said: {duck.Summary}" +
                    (request.Mode == WriteMode.Append ? " If the files' columns changed, run with mode: replace to rebuild the table." : ""), ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Upsert: the last version of each key in the extract replaces the table's row (delete, then
    /// insert, inside the load's transaction). Loading the same extract twice changes nothing.
    /// </summary>
    private async Task<long> MergeAsync(LoadRequest request, string target, CancellationToken cancellationToken)
    {
        var select = LakeSelect.For(request, ordered: true);
        if (select.PrimaryKey.Count == 0)
        {
            throw new LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
                $"mode: merge needs a primary key, and {request.Schema}.{request.Table} has none. Add 'primary_key:' to the pipeline.");
        }

        var keys = string.Join(", ", select.PrimaryKey.Select(Quote.Identifier));
        await connection.ExecuteAsync($"""
            CREATE OR REPLACE TEMP TABLE __wharf_merge AS
            SELECT * EXCLUDE ({LakeSelect.FileColumn}, {LakeSelect.RowColumn}) FROM ({select.Sql})
            QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {LakeSelect.FileColumn} DESC, {LakeSelect.RowColumn} DESC) = 1
            """, cancellationToken);
        var nullKeys = (long)(connection.Scalar($"SELECT count(*) FROM temp.main.__wharf_merge WHERE {string.Join(" OR ", select.PrimaryKey.Select(k => $"{Quote.Identifier(k)} IS NULL"))}") ?? 0L);
        if (nullKeys > 0)
        {
            throw new LoadException($"{request.Schema}.{request.Table}", request.Record.RunId,
                $"{nullKeys} row(s) have NULL in the primary key ({string.Join(", ", select.PrimaryKey)}) of {request.Schema}.{request.Table}; merge cannot match them. Nothing was loaded.");
        }

        var match = string.Join(" AND ", select.PrimaryKey.Select(k => $"{target}.{Quote.Identifier(k)} = m.{Quote.Identifier(k)}"));
        await connection.ExecuteAsync($"DELETE FROM {target} USING temp.main.__wharf_merge AS m WHERE {match}", cancellationToken);
        var rows = await connection.ExecuteAsync($"INSERT INTO {target} BY NAME SELECT * FROM temp.main.__wharf_merge", cancellationToken);
        await connection.ExecuteAsync("DROP TABLE temp.main.__wharf_merge", cancellationToken);
        return rows;
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

    public Task RecordAsync(RunRecord record, CancellationToken cancellationToken = default)
    {
        DuckDbAudit.Insert(connection, record);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(int last, string? pipeline = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(DuckDbAudit.List(connection, last, pipeline));

    public DbDataReader Query(string sql) => connection.Query(sql);

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

    public void Dispose()
    {
        connection.Dispose();
        database.Dispose();
    }
}
