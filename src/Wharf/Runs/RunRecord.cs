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
