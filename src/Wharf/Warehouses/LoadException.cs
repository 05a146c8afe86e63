namespace Wharf.Warehouses;

/// <summary>Loading into a warehouse table failed; the table and the state are as they were before.</summary>
public sealed class LoadException(string table, string runId, string message, Exception? innerException = null)
    : WharfException(message, innerException)
{
    public string Table { get; } = table;

    public string RunId { get; } = runId;
}
