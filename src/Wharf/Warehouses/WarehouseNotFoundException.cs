namespace Wharf.Warehouses;

/// <summary>A command that reads the warehouse found none where the project says it is.</summary>
internal sealed class WarehouseNotFoundException(string location, string message) : WharfException(message)
{
    /// <summary>Where the warehouse should be.</summary>
    public string Location { get; } = location;
}
