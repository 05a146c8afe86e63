using Wharf.Projects;
using Wharf.Warehouses.DuckDb;
using Wharf.Warehouses.Postgres;

namespace Wharf.Warehouses;

/// <summary>Opens the warehouse a project names.</summary>
internal static class WarehouseFactory
{
    public static Task<IWarehouse> OpenAsync(WarehouseSettings settings, TimeProvider time, CancellationToken cancellationToken = default) =>
        OpenAsync(settings, time, TimeSpan.Zero, cancellationToken);

    /// <param name="wait">How long to keep trying while another process has the embedded warehouse open.</param>
    public static Task<IWarehouse> OpenAsync(WarehouseSettings settings, TimeProvider time, TimeSpan wait, CancellationToken cancellationToken = default) =>
        OpenAsync(settings, time, wait, mustExist: false, cancellationToken);

    /// <summary>Opens a warehouse that must already exist (for queries and the audit trail).</summary>
    /// <exception cref="WarehouseNotFoundException">There is no warehouse yet.</exception>
    public static Task<IWarehouse> OpenExistingAsync(WarehouseSettings settings, TimeProvider time, CancellationToken cancellationToken = default) =>
        OpenAsync(settings, time, TimeSpan.Zero, mustExist: true, cancellationToken);

    private static async Task<IWarehouse> OpenAsync(WarehouseSettings settings, TimeProvider time, TimeSpan wait, bool mustExist, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            try
            {
                return await OpenOnceAsync(settings, time, mustExist, cancellationToken);
            }
            catch (WarehouseInUseException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
            }
        }
    }

    /// <summary>The one place that picks the engine: everything after asks the warehouse.</summary>
    private static async Task<IWarehouse> OpenOnceAsync(WarehouseSettings settings, TimeProvider time, bool mustExist, CancellationToken cancellationToken)
    {
        return settings.Kind switch
        {
            WarehouseKind.DuckDb => mustExist
                ? DuckDbWarehouse.OpenExisting(settings.Location, time, settings.Limits)
                : DuckDbWarehouse.Open(settings.Location, time, settings.Limits),
            WarehouseKind.Postgres => await PostgresWarehouse.OpenAsync(settings.Connection!, time, settings.Limits, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "Not a warehouse kind Wharf knows."),
        };
    }
}
