namespace Wharf.Sources.Http;

/// <summary>
/// Spaces the requests of one connection at least 1/<c>rate_limit</c> seconds apart, whichever
/// partition sends them. A strict spacing rather than a token bucket: APIs that publish "N requests
/// per second" often count in sliding windows, which a burst would exceed. Time comes from the
/// <see cref="TimeProvider"/>, so there is no timer thread and tests can control it.
/// </summary>
internal sealed class RequestPacer(double requestsPerSecond, TimeProvider time)
{
    private readonly TimeSpan interval = TimeSpan.FromSeconds(1 / requestsPerSecond);
    private readonly Lock gate = new();
    private DateTimeOffset next = DateTimeOffset.MinValue;

    /// <summary>Waits for this request's turn: each caller gets the next free slot.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset slot;
        var now = time.GetUtcNow();
        lock (gate)
        {
            slot = next > now ? next : now;
            next = slot + interval;
        }

        var wait = slot - now;
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }
}
