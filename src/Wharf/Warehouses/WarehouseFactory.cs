using Wharf.Projects;
using Wharf.Warehouses.DuckDb;

namespace Wharf.Warehouses;

/// <summary>Opens the warehouse a project names.</summary>
public static class WarehouseFactory
{
    public static IWarehouse Open(WarehouseSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Kind switch
        {
            WarehouseKind.DuckDb => DuckDbWarehouse.Open(settings.Location, time),
            _ => throw new WharfException($"Warehouse kind {settings.Kind} is not supported."),
        };
    }

    /// <summary>Opens a warehouse that must already exist (for queries and the audit trail).</summary>
    /// <exception cref="WharfException">There is no warehouse yet.</exception>
    public static IWarehouse OpenExisting(WarehouseSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Kind == WarehouseKind.DuckDb && !File.Exists(settings.Location))
        {
            throw new WharfException($"There is no warehouse at {settings.Location} yet. Run 'wharf run' first.");
        }

        return Open(settings, time);
    }
}
