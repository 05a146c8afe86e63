using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.Server;

/// <summary>
/// Opens the warehouse for the server's runs and requests one at a time. Opening sets up Wharf's
/// own schema when missing, and two requests doing that at once in one DuckDB process conflict
/// ("Catalog write-write conflict on create with _wharf"); once open, they work side by side.
/// </summary>
internal static class WarehouseOpener
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Opens (creating when missing) the warehouse, waiting up to <paramref name="wait"/> for another process.</summary>
    public static Task<IWarehouse> OpenAsync(WarehouseSettings settings, TimeProvider time, TimeSpan wait, CancellationToken cancellationToken) =>
        OneAtATimeAsync(() => WarehouseFactory.OpenAsync(settings, time, wait, cancellationToken), cancellationToken);

    /// <summary>Opens a warehouse that must exist.</summary>
    /// <exception cref="WarehouseNotFoundException">Nothing has run yet.</exception>
    public static Task<IWarehouse> OpenExistingAsync(WarehouseSettings settings, TimeProvider time, CancellationToken cancellationToken) =>
        OneAtATimeAsync(() => WarehouseFactory.OpenExistingAsync(settings, time, cancellationToken), cancellationToken);

    private static async Task<IWarehouse> OneAtATimeAsync(Func<Task<IWarehouse>> open, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return await open();
        }
        finally
        {
            Gate.Release();
        }
    }
}
