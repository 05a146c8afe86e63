namespace Wharf.Sources.Sql;

/// <summary>A source column's type cannot be carried into the lake exactly; the message says how to load it anyway.</summary>
internal sealed class UnsupportedColumnException(string table, string column, string type, string message) : WharfException(message)
{
    public string Table { get; } = table;

    public string Column { get; } = column;

    /// <summary>The column's type as the source names it.</summary>
    public string Type { get; } = type;
}
