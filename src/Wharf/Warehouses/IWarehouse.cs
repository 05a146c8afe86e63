using DuckDB.NET.Data;
using System.Collections.Immutable;
using System.Data.Common;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;

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
    Quality.SqlDialect Dialect { get; }

    /// <summary>Another connection to the work area, for extracting streams in parallel; the caller disposes it.</summary>
    DuckDBConnection OpenWorkArea();

    /// <summary>Loads lake files into a table and records the run, atomically; returns the record as written.</summary>
    Task<RunRecord> LoadAsync(LoadRequest request, CancellationToken cancellationToken = default);

    /// <summary>Records a run that failed (nothing else is changed).</summary>
    Task RecordAsync(RunRecord record, CancellationToken cancellationToken = default);

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

    /// <summary>Runs a query and streams its rows.</summary>
    DbDataReader Query(string sql);

    /// <summary>Drops the foreign keys Wharf created on or to these tables, so they can be reloaded.</summary>
    Task DropForeignKeysAsync(string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken = default);

    /// <summary>Recreates the source's primary and foreign keys on loaded tables; returns notes on what could not be.</summary>
    Task<IReadOnlyList<string>> ApplyKeysAsync(string schema, IReadOnlyList<TableKeys> tables, CancellationToken cancellationToken = default);
}

/// <summary>A loaded table's keys, in warehouse column names.</summary>
internal sealed record TableKeys(string Table, IReadOnlyList<string> PrimaryKey, IReadOnlyList<ForeignKey> ForeignKeys);

/// <summary>A foreign key between two warehouse tables of the same schema.</summary>
internal sealed record ForeignKey(IReadOnlyList<string> Columns, string ReferencedTable, IReadOnlyList<string> ReferencedColumns);

/// <summary>
/// What to load: lake files of one extract (or one chunk of it) into one table, what else the
/// load must do (deletes, full refresh), and the audit row and state to write with it.
/// </summary>
internal sealed record LoadRequest(
    string Schema,
    string Table,
    WriteMode Mode,
    ImmutableArray<LakeManifest> Files,
    string LakeRoot,
    RunRecord Record)
{
    /// <summary>The columns merge and scd2 work by, as named in the source.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// When the rows are loaded: <c>_wharf_loaded_at</c>, and the time SCD2 versions open and close.
    /// The pipeline run's start, so a replay of the run writes the same values.
    /// </summary>
    public required DateTimeOffset LoadedAt { get; init; }

    /// <summary>The watermark loaded before this chunk: appended rows at or before it may already be in the table, and are skipped if so.</summary>
    public Incremental.Watermark? Loaded { get; init; }

    /// <summary>Lake files holding every key the source has now; rows with other keys are deleted. Null when deletes are not detected.</summary>
    public ImmutableArray<LakeManifest>? PresentKeys { get; init; }

    /// <summary>Where every live row's key is known to come from, so the deleted ones are found without reading the table; null when unknown.</summary>
    public KnownKeys? KnownKeys { get; init; }

    public DeleteMode Deletes { get; init; } = DeleteMode.Hard;

    /// <summary>The columns whose change opens a new SCD2 version; all data columns when empty.</summary>
    public IReadOnlyList<string> Track { get; init; } = [];

    /// <summary>The previous full snapshot (change_detection: hash): rows found there unchanged are not staged at all.</summary>
    public ImmutableArray<LakeManifest> Previous { get; init; } = [];

    /// <summary>
    /// Merge and scd2: no staged key can be in the table (it was empty when this run's first chunk
    /// loaded, and a run reads each key once), so rows are inserted without comparing.
    /// </summary>
    public bool AllNew { get; init; }

    /// <summary>Drop the table first (<c>--full-refresh</c>), inside the load's transaction.</summary>
    public bool Recreate { get; init; }

    /// <summary>The run id written into <c>_wharf_run_id</c>: the original run's, when a replay reloads its files.</summary>
    public string? RowsRunId { get; init; }

    /// <summary>Append: first remove the rows <see cref="RowsRunId"/> loaded before, so reloading a run cannot double it.</summary>
    public bool ReplacesRun { get; init; }

    /// <summary>SCD2 replay: first undo the history from this moment on (versions opened then are dropped, versions closed then reopen).</summary>
    public DateTimeOffset? RewindTo { get; init; }

    /// <summary>Whether this load ends the stream's run (its audit row says succeeded), or is one chunk of it (running).</summary>
    public bool Final { get; init; } = true;

    /// <summary>What the stream's state must be before this load (checked in its transaction); not checked when null.</summary>
    public Incremental.StateExpectation? Expected { get; init; }

    /// <summary>The stream's state after this load, saved in the same transaction.</summary>
    public Incremental.StreamState? State { get; init; }

    /// <summary>Declared types, schema contract, checks and processors the rows go through on their way in.</summary>
    public TableRules Rules { get; init; } = new();

    /// <summary>Whether the table checks (row_count, freshness, sql) judge this load: a cursor stream's chunks leave them to the run's end.</summary>
    public bool TableChecks { get; init; } = true;
}

/// <summary>
/// The keys a table's live rows can have: those of the key summary the previous delete detection
/// went by (every row it left has one), and those of the rows loaded since. A superset is enough:
/// a key here that the table lacks only makes a delete that finds nothing.
/// </summary>
internal sealed record KnownKeys(ImmutableArray<LakeManifest> Previous, ImmutableArray<LakeManifest> Loaded);
