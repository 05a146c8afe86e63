using System.Collections.Immutable;

namespace Wharf.Runs;

/// <summary>Everything one <c>wharf run</c> did, stream by stream.</summary>
public sealed record RunSummary(ImmutableArray<RunRecord> Streams, TimeSpan Duration)
{
    public bool Succeeded => Streams.All(s => s.Status == RunStatus.Succeeded);
}
