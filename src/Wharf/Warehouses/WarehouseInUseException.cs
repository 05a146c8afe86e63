namespace Wharf.Warehouses;

/// <summary>The embedded warehouse file is open in another process (DuckDB lets one process write it).</summary>
public sealed class WarehouseInUseException(string message, Exception? innerException = null) : WharfException(message, innerException)
{
    public override bool IsTransient => true;
}
