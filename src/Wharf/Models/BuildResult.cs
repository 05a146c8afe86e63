using System.Collections.Immutable;
using Wharf.Runs;

namespace Wharf.Models;

public enum BuildStatus
{
    Succeeded,

    /// <summary>Built, but a test of severity warn failed.</summary>
    Warned,
    Failed,

    /// <summary>Not built because something it reads failed.</summary>
    Skipped,
}

/// <summary>What happened to one seed, model or singular test of a build.</summary>
/// <param name="Kind"><c>seed</c>, <c>model</c> or <c>test</c>.</param>
/// <param name="Record">Its row of <c>_wharf.runs</c> (none for a skipped node).</param>
public sealed record BuildResult(string Name, string Kind, BuildStatus Status, RunRecord? Record, string? Message);

/// <summary>Everything one <c>wharf build</c> (or <c>wharf seed</c>) did, in build order.</summary>
public sealed record BuildSummary(ImmutableArray<BuildResult> Results, TimeSpan Duration)
{
    public bool Succeeded => Results.All(r => r.Status is BuildStatus.Succeeded or BuildStatus.Warned);
}
