namespace Wharf.Schema;

/// <summary>A setting of wharf.yml names a column the data does not have.</summary>
internal sealed class ColumnNotFoundException(string table, string column, string message) : WharfException(message)
{
    /// <summary>The table, <c>schema.table</c> (or the stream, before it has a table).</summary>
    public string Table { get; } = table;

    public string Column { get; } = column;
}
