using System.Collections.Immutable;

namespace Wharf.Runs;

/// <summary>One row of <c>_wharf.runs</c>: what one stream of one pipeline run did.</summary>
public sealed record RunRecord
{
    public required string RunId { get; init; }

    public required string Pipeline { get; init; }

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

    public RunStatus Status { get; init; }

    public string? Error { get; init; }

    /// <summary>Lake files written, relative to the lake root.</summary>
    public ImmutableArray<string> LakeFiles { get; init; } = [];
}

public enum RunStatus
{
    Running,
    Succeeded,
    Failed,
}
