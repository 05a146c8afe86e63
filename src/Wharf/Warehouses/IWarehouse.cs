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
public interface IWarehouse : IDisposable
{
    /// <summary>The warehouse's own DuckDB work-area connection: loads read the lake through it.</summary>
    DuckDbConnection WorkArea { get; }

    /// <summary>Another connection to the work area, for extracting streams in parallel; the caller disposes it.</summary>
    DuckDbConnection OpenWorkArea();

    /// <summary>Loads lake files into a table and records the run, atomically; returns the record as written.</summary>
    Task<RunRecord> LoadAsync(LoadRequest request, CancellationToken cancellationToken = default);

    /// <summary>Records a run that failed (nothing else is changed).</summary>
    Task RecordAsync(RunRecord record, CancellationToken cancellationToken = default);

    /// <summary>The most recent runs, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(int last, string? pipeline = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and streams its rows.</summary>
    DbDataReader Query(string sql);

    /// <summary>Drops the foreign keys Wharf created on or to these tables, so they can be reloaded.</summary>
    Task DropForeignKeysAsync(string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken = default);

    /// <summary>Recreates the source's primary and foreign keys on loaded tables; returns notes on what could not be.</summary>
    Task<IReadOnlyList<string>> ApplyKeysAsync(string schema, IReadOnlyList<TableKeys> tables, CancellationToken cancellationToken = default);
}

/// <summary>A loaded table's keys, in warehouse column names.</summary>
public sealed record TableKeys(string Table, IReadOnlyList<string> PrimaryKey, IReadOnlyList<ForeignKey> ForeignKeys);

/// <summary>A foreign key between two warehouse tables of the same schema.</summary>
public sealed record ForeignKey(IReadOnlyList<string> Columns, string ReferencedTable, IReadOnlyList<string> ReferencedColumns);

/// <summary>What to load: lake files of one extract into one table, and the audit row to write with it.</summary>
public sealed record LoadRequest(
    string Schema,
    string Table,
    WriteMode Mode,
    ImmutableArray<LakeManifest> Files,
    string LakeRoot,
    RunRecord Record)
{
    /// <summary>The columns <see cref="WriteMode.Merge"/> upserts by, as named in the source.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];
}
