namespace Wharf.Quality;

/// <summary>A declared check could not run (not: it failed): a column it names is missing, the table it references is gone.</summary>
internal sealed class CheckException(string check, string table, string message, Exception? innerException = null)
    : WharfException(message, innerException)
{
    /// <summary>The check's name, as in wharf.yml.</summary>
    public string Check { get; } = check;

    /// <summary>The table it checks, <c>schema.table</c>.</summary>
    public string Table { get; } = table;
}
