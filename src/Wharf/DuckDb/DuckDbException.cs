namespace Wharf.DuckDb;

/// <summary>An error reported by DuckDB, carrying DuckDB's own message.</summary>
public sealed class DuckDbException : WharfException
{
    public DuckDbException(string message, string? sql = null)
        : base(message)
    {
        Sql = sql;
    }

    /// <summary>The statement that failed, when there was one.</summary>
    public string? Sql { get; }
}
