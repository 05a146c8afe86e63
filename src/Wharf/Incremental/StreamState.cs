using System.Collections.Immutable;

namespace Wharf.Incremental;

/// <summary>
/// One row of <c>_wharf.state</c>: what a stream's incremental loading has reached. Written in the
/// same transaction as the data it describes, so the two can never disagree after a crash.
/// </summary>
/// <param name="Watermark">The greatest cursor value loaded (cursor streams).</param>
/// <param name="Snapshot">The lake files of the last full extract (<c>change_detection: hash</c>).</param>
internal sealed record StreamState(string Pipeline, string Stream, Watermark? Watermark, ImmutableArray<string> Snapshot, string RunId, DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// A cursor stream's delete detection: the lake files of the source's key summary that this
    /// state's commit deleted by. Every live row of the table then has one of these keys, so the
    /// next run, if nothing else committed in between, compares the source with them and its own
    /// rows instead of reading the table. Empty after any other commit (a chunk, a replay).
    /// </summary>
    public ImmutableArray<string> PresentKeys { get; init; } = [];

    /// <summary>
    /// Where a source that commits part by part got to (<see cref="Lake.LakeManifest.Checkpoint"/>):
    /// set by each part's commit, cleared by the commit that ends the stream's run. Set at the start
    /// of a run, it says the last one died there.
    /// </summary>
    public string? Checkpoint { get; init; }

    /// <summary>
    /// With <c>incremental: files</c>: the files loaded, as <c>path, size, ETag or modification
    /// time</c> (see <c>LocationEntry.Identity</c>); a run reads only files not among them.
    /// </summary>
    public ImmutableArray<string> LoadedFiles { get; init; } = [];
}
