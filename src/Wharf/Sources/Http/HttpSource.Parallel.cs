namespace Wharf.Sources.Http;

/// <summary>Running partitions side by side: all to the end, or in order with a bounded look-ahead.</summary>
internal sealed partial class HttpSource
{
    /// <summary>Runs <paramref name="work"/> on every item, at most <paramref name="width"/> at once; the first failure cancels the rest.</summary>
    private static async Task<List<FetchResult>> InParallelAsync(IReadOnlyList<Partition> items, int width, Func<Partition, CancellationToken, Task<FetchResult>> work, CancellationToken cancellationToken)
    {
        var results = new List<FetchResult>();
        await InOrderAsync(items, width, work, result =>
        {
            results.Add(result);
            return Task.CompletedTask;
        }, cancellationToken);
        return results;
    }

    /// <summary>
    /// Starts <paramref name="work"/> for up to <paramref name="width"/> items ahead of the one being
    /// handed to <paramref name="then"/>, which sees the results one at a time, in the items' order.
    /// A failure stops everything: the work still running is cancelled and awaited, its files closed.
    /// </summary>
    private static async Task InOrderAsync(IReadOnlyList<Partition> items, int width, Func<Partition, CancellationToken, Task<FetchResult>> work, Func<FetchResult, Task> then, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Queue<Task<FetchResult>>();
        var next = 0;
        try
        {
            while (next < items.Count || running.Count > 0)
            {
                while (next < items.Count && running.Count < width)
                {
                    running.Enqueue(work(items[next++], stop.Token));
                }

                var result = await running.Dequeue();
                await then(result);
            }
        }
        catch
        {
            await stop.CancelAsync();
            foreach (var task in running)
            {
                try
                {
                    (await task).Spool.Dispose();
                }
                catch (Exception)
                {
                    // Cancelled or failed too: the first failure is the one reported.
                }
            }

            throw;
        }
    }
}
