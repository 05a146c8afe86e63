using System.Collections.Immutable;
using DuckDB.NET.Data;
using Wharf.Dialects;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Schema;
using Wharf.Staging;

namespace Wharf.Warehouses;

/// <summary>
/// One load's transaction in one warehouse: what <see cref="TableLoader"/> asks of an engine. The
/// sequence (state guard, staging and checks, schema, write, quarantine, deletes, audit, commit)
/// is the loader's; how each step is said in the engine's SQL, and how rows get there, is the
/// session's. Disposing a session that was not committed rolls everything back.
/// </summary>
internal interface ILoadSession : IAsyncDisposable
{
    /// <summary>The SQL the warehouse speaks.</summary>
    SqlDialect Dialect { get; }

    /// <summary>The DuckDB work area where the load's rows are staged and checked.</summary>
    DuckDBConnection WorkArea { get; }

    /// <summary>The stream's saved state (run id, watermark as JSON), locked until the transaction ends where the engine can; null when none is saved.</summary>
    Task<(string RunId, string? Watermark)?> ReadStateAsync(string pipeline, string stream, CancellationToken cancellationToken);

    /// <summary>A run's committed audit row for a stream; null when none is.</summary>
    Task<RunRecord?> ReadRecordAsync(string runId, string pipeline, string stream, CancellationToken cancellationToken);

    /// <summary>The table's columns; null when it does not exist.</summary>
    Task<IReadOnlyList<TableColumn>?> DescribeAsync(string schema, string table, CancellationToken cancellationToken);

    /// <summary>Runs statements in the warehouse; returns the rows they changed.</summary>
    Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken);

    /// <summary>Runs a query in the warehouse that returns one number.</summary>
    Task<long> CountAsync(string sql, CancellationToken cancellationToken);

    /// <summary>A work-area relation (one text column) of a relationships check's allowed values.</summary>
    Task<string> ReferenceAsync(string schema, CheckSettings check, CancellationToken cancellationToken);

    /// <summary>Appends the rows of a warehouse query to a work-area table whose columns match them, in order.</summary>
    Task FetchAsync(string sql, string workAreaTable, CancellationToken cancellationToken);

    /// <summary>Creates the table, shaped like the rows, when it does not exist (with the write mode's own columns and key where the engine keeps them).</summary>
    Task CreateTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken);

    /// <summary>Adds and widens the table's columns as the schema plan says.</summary>
    Task EvolveAsync(TableWrite write, SchemaPlan plan, LakeSelect rows, CancellationToken cancellationToken);

    /// <summary>Builds the table anew from the rows, so that readers see the old one until the commit; returns how many rows.</summary>
    Task<long> ReplaceTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken);

    /// <summary>
    /// Adds rows to the table a replace builds part by part beside the old one (made, shaped like
    /// the rows, with the first), which <see cref="SwapInNewTableAsync"/> puts in its place; returns how many.
    /// Only in a warehouse that begins a <see cref="PartedReplace"/>.
    /// </summary>
    Task<long> AddToNewTableAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the table <see cref="AddToNewTableAsync"/> built in the old one's place, with the
    /// primary key a keyed mode's table has (<see cref="TableWrite.TableKey"/>); readers see the change at the commit.
    /// </summary>
    /// <exception cref="InvalidOperationException">No rows were added: there is no new table.</exception>
    Task SwapInNewTableAsync(TableWrite write, CancellationToken cancellationToken);

    /// <summary>Bulk-writes the rows of a work-area query (<paramref name="columns"/> in order) into a table; returns how many.</summary>
    Task<long> InsertAsync(string table, string sql, IReadOnlyList<string> columns, CancellationToken cancellationToken);

    /// <summary>
    /// Fills the temporary table <see cref="TableWrite.Stage"/> with the rows the write mode compares
    /// with the table: for merge and scd2, the last version of each key (latest file, latest row).
    /// </summary>
    Task StageAsync(TableWrite write, LakeSelect rows, CancellationToken cancellationToken);

    /// <summary>Deletes (or marks, or closes) the rows whose key the source no longer has; returns how many.</summary>
    Task<long> DeleteMissingAsync(LoadRequest request, TableWrite write, ImmutableArray<LakeManifest> present, CancellationToken cancellationToken);

    /// <summary>Writes the audit row (and its checks) and the stream's new state.</summary>
    Task RecordAsync(RunRecord record, StreamState? state, CancellationToken cancellationToken);

    /// <summary>Commits the load.</summary>
    /// <param name="rowsWritten">Rows inserted, updated and deleted: after a big load, or the stream's last, the engine may write what is committed to its files at once.</param>
    /// <exception cref="LoadException">The commit is done, but making it durable failed (the message says so, and what to do).</exception>
    Task CommitAsync(LoadRequest request, long rowsWritten, CancellationToken cancellationToken);

    /// <summary>The engine's own error as a <see cref="LoadException"/> that says what failed and what to do; null for errors that are not the engine's.</summary>
    LoadException? Explain(Exception error, LoadRequest request);
}
