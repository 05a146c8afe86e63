using Wharf.Lake;
using Wharf.Sources;
using Wharf.Warehouses;

using Wharf.Runs;

namespace Wharf.Pipelines;

/// <summary>
/// Reads every key a cursor stream's source has now, for delete detection: the keys' summary when
/// the source can make one (<see cref="IKeySummarySource"/>), otherwise the keys themselves.
/// </summary>
/// <remarks>
/// The summary starts as soon as the cursor extract's snapshot is taken (<see cref="OnSnapshot"/>),
/// and runs beside the extract on the source's other connections. Starting later than the extract's
/// snapshot is what keeps it right: every key the extract loads existed then, so the summary sees
/// it unless it was deleted since (and then deleting it is right too). Keys it sees that the extract
/// did not are only never deleted. The keys themselves are read after the extract, as before.
/// </remarks>
internal sealed class PresentKeysReader(ISource source, IWarehouse warehouse, SourceStream stream, ExtractRequest request, CancellationToken cancellationToken)
    : IAsyncDisposable
{
    /// <summary>How far a new summary's lake parts are numbered from the dropped one's, whose files stay (lake files are never overwritten).</summary>
    private const int PartsPerSummary = 10_000;

    private readonly Lock gate = new();
    private ExtractRequest keys = request;
    private CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    private Task<IReadOnlyList<LakeManifest>?>? summary;

    /// <summary>Whether an extract that lost its connection read on (<see cref="RestartAsync"/>): from a newer snapshot than its first.</summary>
    public bool Restarted { get; private set; }

    /// <summary>For the cursor extract's request: starts the summary (once) when the source can make one.</summary>
    public Action? OnSnapshot => source is IKeySummarySource ? Start : null;

    /// <summary>Waits for the summary, or reads the keys themselves; returns their lake files.</summary>
    public async Task<IReadOnlyList<LakeManifest>> ReadAsync()
    {
        Start();
        return await summary! is { } summarized
            ? summarized
            : await source.ExtractAsync(stream, keys, cancellationToken);
    }

    private void Start()
    {
        lock (gate)
        {
            summary ??= source is IKeySummarySource ? Task.Run(SummarizeAsync, stop.Token) : Task.FromResult<IReadOnlyList<LakeManifest>?>(null);
        }
    }

    private async Task<IReadOnlyList<LakeManifest>?> SummarizeAsync()
    {
        // A work area of its own: the extract's is busy with the extract.
        using var workArea = warehouse.OpenWorkArea();
        return await ((IKeySummarySource)source).SummarizeKeysAsync(stream, keys with { WorkArea = workArea }, stop.Token);
    }

    /// <summary>
    /// Drops the summary for an extract that reads on after a lost connection: it began at the failed
    /// attempt's snapshot, and rows inserted since that the next attempt loads would be missing from
    /// it (and deleted). The next attempt's snapshot starts a new one.
    /// </summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        stop.Dispose();
        Restarted = true;
        lock (gate)
        {
            stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            summary = null;
            keys = keys with { Target = keys.Target with { Part = keys.Target.Part + PartsPerSummary } };
        }
    }

    /// <summary>Stops a summary still running (the extract failed) and waits for it to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
    }

    private async Task StopAsync()
    {
        await stop.CancelAsync();
        Task? running;
        lock (gate)
        {
            running = summary;
        }

        if (running is not null)
        {
            try
            {
                await running;
            }
            catch (Exception ex) when (ex is OperationCanceledException or WharfException)
            {
                // Its failure only matters to ReadAsync, which has seen it (or the run stopped before).
            }
        }
    }
}
