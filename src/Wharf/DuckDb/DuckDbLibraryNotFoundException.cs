namespace Wharf.DuckDb;

/// <summary>DuckDB's native library could not be found or loaded.</summary>
public sealed class DuckDbLibraryNotFoundException : WharfException
{
    public DuckDbLibraryNotFoundException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
