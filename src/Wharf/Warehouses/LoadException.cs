namespace Wharf.Warehouses;

/// <summary>Loading into a warehouse table failed; the table and the state are as they were before.</summary>
public sealed class LoadException(string table, string runId, string message, Exception? innerException = null)
    : WharfException(message, innerException)
{
    /// <summary>The table, <c>schema.table</c>.</summary>
    public string Table { get; } = table;

    /// <summary>The run whose load failed (empty when the failure was not one run's, e.g. recreating keys).</summary>
    public string RunId { get; } = runId;

    /// <summary>Set by the warehouse when its own error was transient (a dropped connection, a deadlock).</summary>
    internal bool Transient { get; init; }

    /// <summary>Whether loading again may succeed: the warehouse's error was transient, or the Wharf error this one wraps is.</summary>
    public override bool IsTransient => Transient || base.IsTransient;
}
