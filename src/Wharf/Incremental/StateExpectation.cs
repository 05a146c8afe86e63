namespace Wharf.Incremental;

/// <summary>
/// What <c>_wharf.state</c> must hold for a stream when a load commits: what the run's previous
/// commit left there (or what the run started from). Checked inside the load's transaction, so a
/// commit the server lost (a crash with asynchronous commit, a failover) or a run that wrote
/// behind this one's back stops the run instead of leaving a gap that no watermark would revisit.
/// </summary>
/// <param name="RunId">The run that wrote the expected row; null when no row is expected.</param>
/// <param name="Watermark">Its watermark as stored (JSON), or null.</param>
internal sealed record StateExpectation(string? RunId, string? Watermark)
{
    public static StateExpectation Of(StreamState? state) => new(state?.RunId, state?.Watermark?.ToJson());

    /// <summary>What the load should do, given the row found (null fields when there is none).</summary>
    /// <exception cref="WharfException">The row is neither the expected one nor this load's own.</exception>
    public Verdict Check(StreamState next, string? foundRunId, string? foundWatermark)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (foundRunId == RunId && foundWatermark == Watermark)
        {
            return Verdict.Proceed;
        }

        if (foundRunId == next.RunId && foundWatermark == next.Watermark?.ToJson())
        {
            // The load committed, but its reply was lost and it is being retried.
            return Verdict.AlreadyCommitted;
        }

        throw new IncrementalStateException($"{next.Pipeline}.{next.Stream}",
            $"The warehouse's state for {next.Pipeline}.{next.Stream} is not what this run left there " +
            $"(expected run {RunId ?? "none"} at {Describe(Watermark)}; found run {foundRunId ?? "none"} at {Describe(foundWatermark)}): " +
            "a commit was lost (a server crash with asynchronous commit, a failover) or another run wrote it. Nothing of this load was written; " +
            "run again, and it resumes from what the warehouse really holds.");
    }

    private static string Describe(string? watermark) =>
        watermark is null ? "no watermark" : Incremental.Watermark.FromJson(watermark)!.ToString();

    public enum Verdict
    {
        Proceed,
        AlreadyCommitted,
    }
}
