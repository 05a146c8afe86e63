using DuckDB.NET.Data;
using Wharf.Runs;
using Wharf.Staging;

namespace Wharf.Warehouses;

/// <summary>
/// A replace whose new table is built part by part, each as soon as its extract writes it, in one
/// transaction of its own (its own warehouse connection and work area, so the pipeline's other
/// loads go on beside it). <see cref="FinishAsync"/> commits it; disposing it first rolls back,
/// leaving the table, the audit and the state as they were.
/// </summary>
internal sealed class PartedReplace(TableLoader loader, ILoadSession session, DuckDBConnection workArea) : IAsyncDisposable
{
    /// <summary>Loads a part (<see cref="ReplaceStep.Part"/>) into the new table; returns the run's record with its counts added.</summary>
    /// <exception cref="WharfException">The part could not be loaded (see <see cref="TableLoader.LoadPartAsync"/>).</exception>
    public Task<RunRecord> AddAsync(LoadRequest part, CancellationToken cancellationToken) =>
        loader.LoadPartAsync(session, part, cancellationToken);

    /// <summary>The last step (<see cref="ReplaceStep.Last"/>): the run's checks, the swap, the audit row and state, the commit.</summary>
    /// <exception cref="WharfException">The load failed and was rolled back (see <see cref="TableLoader.LoadAsync(ILoadSession, LoadRequest, CancellationToken)"/>).</exception>
    public Task<RunRecord> FinishAsync(LoadRequest last, CancellationToken cancellationToken) =>
        loader.LoadAsync(session, last, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await session.DisposeAsync();
        workArea.Dispose();
    }
}
