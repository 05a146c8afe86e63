using System.Collections.Immutable;

namespace Wharf.Runs;

/// <summary>One row of <c>_wharf.runs</c>: what one stream of one pipeline run did.</summary>
public sealed record RunRecord
{
    public required string RunId { get; init; }

    public required string Pipeline { get; init; }

    /// <summary>What ran: <c>load</c> (a pipeline's stream), <c>seed</c>, <c>model</c> or <c>test</c>.</summary>
    /// <value>Defaults to <see cref="LoadKind"/>.</value>
    public string Kind { get; init; } = LoadKind;

    public const string LoadKind = "load";

    public required string Stream { get; init; }

    /// <summary>The connection and what was read from it, e.g. <c>files: orders/*.csv</c>. Never holds secrets.</summary>
    public required string Source { get; init; }

    /// <summary>The warehouse table, <c>schema.table</c>.</summary>
    public required string Target { get; init; }

    public required string Mode { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public TimeSpan Duration => FinishedAt - StartedAt;

    public long RowsExtracted { get; init; }

    public long RowsLoaded { get; init; }

    /// <summary>Rows new to the table (every row, for append and replace).</summary>
    public long RowsInserted { get; init; }

    /// <summary>Rows whose key was in the table with other values (merge), or history versions closed by a change (scd2).</summary>
    public long RowsUpdated { get; init; }

    /// <summary>Rows deleted, soft-deleted or closed because the source no longer has their key.</summary>
    public long RowsDeleted { get; init; }

    /// <summary>Extracted rows the table already held exactly (nothing written for them).</summary>
    public long RowsUnchanged { get; init; }

    /// <summary>The cursor's watermark when the run started (cursor streams).</summary>
    public string? WatermarkBefore { get; init; }

    /// <summary>The cursor's watermark when the run ended.</summary>
    public string? WatermarkAfter { get; init; }

    /// <summary>Rows that failed a check and went to the quarantine table instead.</summary>
    public long RowsQuarantined { get; init; }

    /// <summary>Rows not loaded because the schema contract discarded them or a processor (filter, dedupe, drop_nulls) removed them.</summary>
    public long RowsDiscarded { get; init; }

    /// <summary>What staging changed or set aside: columns added or widened, rows quarantined or discarded.</summary>
    public ImmutableArray<string> Notes { get; init; } = [];

    /// <summary>The checks' results (also in <c>_wharf.check_results</c>).</summary>
    public ImmutableArray<Quality.CheckResult> Checks { get; init; } = [];

    public RunStatus Status { get; init; }

    public string? Error { get; init; }

    /// <summary>Lake files written, relative to the lake root.</summary>
    public ImmutableArray<string> LakeFiles { get; init; } = [];

    /// <summary>Where the time went: reading the source, writing the lake, staging and checks, writing the table, committing.</summary>
    /// <value>Zero for stages that did not run (a failed run's later stages).</value>
    public RunStageTimes Times { get; init; } = new();

    /// <summary>The process's peak memory (working set) when the stream finished, in bytes.</summary>
    public long PeakMemoryBytes { get; init; }

    /// <summary>Bytes read from the source: its files' sizes, HTTP response bodies, message payloads, or what a PostgreSQL or MySQL server sent; 0 for SQLite and DuckDB files.</summary>
    public long BytesRead { get; init; }

    /// <summary>Bytes written to the lake (its Parquet files).</summary>
    public long BytesWritten { get; init; }

    // Every record made in this process (pipeline, replay, check, model, seed, test and export
    // runs) is stamped with it; one read back from the audit keeps what was stored.

    /// <summary>The operating-system user that started the run.</summary>
    public string? StartedBy { get; init; } = RunOrigin.User;

    /// <summary>The machine the run ran on.</summary>
    public string? Host { get; init; } = RunOrigin.Host;

    /// <summary>The Wharf version that ran it.</summary>
    public string? WharfVersion { get; init; } = RunOrigin.Version;
}

/// <summary>How long each stage of a stream's run took; a chunked stream adds up its chunks'.</summary>
public sealed record RunStageTimes
{
    /// <summary>Reading the source (the extract, less writing the lake).</summary>
    public TimeSpan Extract { get; init; }

    /// <summary>Writing the lake's Parquet files and manifests.</summary>
    public TimeSpan Land { get; init; }

    /// <summary>Staging: declared types, checks, quarantine, processors, the schema plan.</summary>
    public TimeSpan Stage { get; init; }

    /// <summary>Writing the rows (and deletes, quarantine) into the table.</summary>
    public TimeSpan Load { get; init; }

    /// <summary>Writing the audit row and state, and committing.</summary>
    public TimeSpan Commit { get; init; }

    /// <summary>These times and <paramref name="other"/>'s, stage by stage.</summary>
    public RunStageTimes Add(RunStageTimes other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new()
        {
            Extract = Extract + other.Extract,
            Land = Land + other.Land,
            Stage = Stage + other.Stage,
            Load = Load + other.Load,
            Commit = Commit + other.Commit,
        };
    }
}

public enum RunStatus
{
    /// <summary>Chunks are being committed; a run that died stays here until the next run marks it interrupted.</summary>
    Running,
    Succeeded,
    Failed,

    /// <summary>The process died mid-run (kill, crash, power loss); its committed chunks stay, the next run resumes after them.</summary>
    Interrupted,
}
