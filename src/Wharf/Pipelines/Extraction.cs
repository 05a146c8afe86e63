using System.Collections.Immutable;
using Wharf.Incremental;
using Wharf.Lake;
using Wharf.Runs;

namespace Wharf.Pipelines;

/// <summary>
/// What one stream's extraction gave: its lake files (for cursor streams, already loaded chunk
/// by chunk), the source's keys for delete detection, or its error. Failures are recorded
/// later, in load order, because the audit shares the warehouse connection with the loads.
/// </summary>
internal sealed record Extraction(RunRecord Record, IReadOnlyList<LakeManifest>? Manifests, WharfException? Error = null)
{
    public ImmutableArray<LakeManifest>? PresentKeys { get; init; }

    /// <summary>
    /// The key summary of what a load into an empty table holds, made from its lake files when no
    /// key was read from the source (nothing to delete): the state keeps it for the next run's compare.
    /// </summary>
    public ImmutableArray<LakeManifest>? LoadedKeys { get; init; }

    /// <summary>The watermark after the last committed chunk (cursor streams).</summary>
    public Watermark? Watermark { get; init; }

    /// <summary>The records of the child tables committed with the stream's parts (nested JSON lists), whatever became of the stream.</summary>
    public ImmutableArray<RunRecord> Children { get; init; } = [];

    /// <summary>A replace's new table, built while the extract ran and committed by the stream's load; null when none was.</summary>
    public ReplaceAhead? Ahead { get; init; }

    /// <summary>
    /// A cursor stream's first load read whole, nothing committed yet (<see cref="Projects.FirstLoad.Whole"/>):
    /// its rows are loaded as one, with <see cref="Watermark"/>, the highest cursor read.
    /// </summary>
    public bool Whole { get; init; }

    /// <summary>What the state holds after the last committed chunk (cursor streams).</summary>
    public StateExpectation? Expected { get; init; }
}
