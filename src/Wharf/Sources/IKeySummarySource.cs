using Wharf.Lake;

namespace Wharf.Sources;

/// <summary>
/// A source that can summarize a stream's keys where they live (delete detection): instead of
/// sending every key, its server sends one <see cref="KeySummary"/> row per 32 consecutive keys.
/// </summary>
internal interface IKeySummarySource
{
    /// <summary>
    /// Writes the <see cref="KeySummary"/> of every key the stream has now to the lake, as
    /// <see cref="ISource.ExtractAsync"/> would write the keys themselves (same request, whose
    /// <see cref="ExtractRequest.Columns"/> name the key); returns null, having written nothing,
    /// when the key is not a single integer column.
    /// </summary>
    Task<IReadOnlyList<LakeManifest>?> SummarizeKeysAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default);
}
