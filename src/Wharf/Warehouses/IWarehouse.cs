using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Data.Common;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Dialects;
using Wharf.Staging;

namespace Wharf.Warehouses;

/// <summary>
/// Where tables land. A load writes the data and its audit row in one transaction, so a failure
/// leaves both as they were.
/// </summary>
internal interface IWarehouse : IDisposable
{
    /// <summary>The warehouse's own DuckDB work-area connection: loads read the lake through it.</summary>
    DuckDBConnection WorkArea { get; }

    /// <summary>The SQL the warehouse speaks (checks on its tables are compiled to it).</summary>
    SqlDialect Dialect { get; }

    /// <summary>Another connection to the work area, for extracting streams in parallel; the caller disposes it.</summary>
    DuckDBConnection OpenWorkArea();

    /// <summary>Loads lake files into a table and records the run, atomically; returns the record as written.</summary>
    async Task<RunRecord> LoadAsync(LoadRequest request, CancellationToken cancellationToken = default) =>
        (await LoadAsync([request], cancellationToken))[0];

    /// <summary>
    /// Loads a stream's part and its child tables' parts (nested JSON lists) and records them, in
    /// one transaction; the first request's state guards them all. Returns the records as written.
    /// </summary>
    Task<IReadOnlyList<RunRecord>> LoadAsync(IReadOnlyList<LoadRequest> requests, CancellationToken cancellationToken = default);

    /// <summary>
    /// Begins a replace whose new table is built as the extract writes its parts, in a transaction
    /// of its own; null where the warehouse builds a table only from all its files at once.
    /// </summary>
    Task<PartedReplace?> BeginReplaceAsync(CancellationToken cancellationToken = default) => Task.FromResult<PartedReplace?>(null);

    /// <summary>Records a run that failed (nothing else is changed).</summary>
    Task RecordAsync(RunRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a run of pipelines, <paramref name="last"/> its last stream: where the engine logs
    /// commits before it writes them to its tables' storage (DuckDB's WAL), what the run committed
    /// is written there now, once for all the run's streams. Nothing to do elsewhere.
    /// </summary>
    /// <exception cref="LoadException">It could not be (a full disk): what is committed stays in the log, safe.</exception>
    Task EndRunAsync(RunRecord last, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>
    /// Keeps other runs of the pipeline out of this warehouse until disposed, from any machine
    /// (PostgreSQL: a session advisory lock; DuckDB's file lock already lets one process in).
    /// </summary>
    /// <param name="holder">Who is asking, for the message another run gets.</param>
    /// <exception cref="WharfException">Another run holds it (past the wait); the message names it.</exception>
    Task<IAsyncDisposable> LockPipelineAsync(string pipeline, string holder, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>The pipeline's saved incremental state, per stream; also marks its runs that died mid-way as interrupted.</summary>
    Task<IReadOnlyList<Incremental.StreamState>> StartPipelineAsync(string pipeline, CancellationToken cancellationToken = default);

    /// <summary>The most recent runs, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(int last, string? pipeline = null, CancellationToken cancellationToken = default);

    /// <summary>Whether the table is missing or has no rows.</summary>
    Task<bool> IsEmptyAsync(string schema, string table, CancellationToken cancellationToken = default);

    /// <summary>
    /// Readies the warehouse for one pass over a whole table (an export) until disposed: DuckDB
    /// then keeps few of the blocks it reads (<see cref="DuckDb.LeanScans"/>). Null when nothing
    /// changed (PostgreSQL, which needs nothing; another DuckDB warehouse open in the process).
    /// </summary>
    IDisposable? ScanWholeTable();

    /// <summary>Runs a query and streams its rows.</summary>
    DbDataReader Query(string sql);

    /// <summary>A new connection to the warehouse itself, for SQL Wharf writes in its dialect (model builds); the caller disposes it.</summary>
    Task<DbConnection> ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Drops the foreign keys Wharf created on or to these tables, so they can be reloaded.</summary>
    Task DropForeignKeysAsync(string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken = default);

    /// <summary>Recreates the source's primary and foreign keys on loaded tables; returns notes on what could not be.</summary>
    Task<IReadOnlyList<string>> ApplyKeysAsync(string schema, IReadOnlyList<TableKeys> tables, CancellationToken cancellationToken = default);
}
