namespace Wharf.Pipelines;

/// <summary>
/// Lets one piece of warehouse work in at a time: a pipeline's streams extract in parallel, but
/// their loads share the warehouse connection, and each load is one transaction.
/// </summary>
internal sealed class WarehouseGate : IDisposable
{
    private readonly SemaphoreSlim slot = new(1);

    /// <summary>Runs the work once the gate lets it in (no gate: at once).</summary>
    public static async Task<T> RunAsync<T>(WarehouseGate? gate, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (gate is null)
        {
            return await work();
        }

        await gate.slot.WaitAsync(cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            gate.slot.Release();
        }
    }

    /// <inheritdoc cref="RunAsync{T}(WarehouseGate?, Func{Task{T}}, CancellationToken)"/>
    public static Task RunAsync(WarehouseGate? gate, Func<Task> work, CancellationToken cancellationToken) =>
        RunAsync(gate, async () =>
        {
            await work();
            return true;
        }, cancellationToken);

    public void Dispose() => slot.Dispose();
}
