namespace Wharf.Warehouses;

/// <summary>A query against the warehouse failed (<c>wharf query</c>, a check's reference); the message has the engine's reason.</summary>
internal sealed class QueryException(string sql, string message, Exception? innerException = null) : WharfException(message, innerException)
{
    /// <summary>The query that failed.</summary>
    public string Sql { get; } = sql;
}
