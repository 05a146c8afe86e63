using DuckDB.NET.Data;

namespace Wharf.DuckDb;

/// <summary>Checkpoints a DuckDB database: what is committed goes from the WAL into the database file.</summary>
internal static class DuckDbCheckpoint
{
    /// <summary>
    /// Checkpoints now; false when DuckDB postponed it because another connection has a transaction
    /// open (the WAL keeps what is committed, and DuckDB checkpoints later).
    /// </summary>
    /// <exception cref="DuckDbException">The checkpoint failed (e.g. the disk is full): what is committed is in the WAL only.</exception>
    public static async Task<bool> TryAsync(DuckDBConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            await connection.ExecuteAsync("CHECKPOINT", cancellationToken);
            return true;
        }
        catch (DuckDbException ex) when (IsPostponed(ex))
        {
            return false;
        }
    }

    /// <summary>DuckDB's refusal to checkpoint while other transactions are open: "Cannot CHECKPOINT: there are other write transactions active…".</summary>
    public static bool IsPostponed(DuckDbException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Message.Contains("Cannot CHECKPOINT", StringComparison.OrdinalIgnoreCase)
            && error.Message.Contains("transaction", StringComparison.OrdinalIgnoreCase);
    }
}
