namespace Wharf.Schema;

/// <summary>A column the load adds to the table, or a column whose type it widens.</summary>
internal sealed record ColumnChange(string Name, LogicalType? From, LogicalType To)
{
    /// <summary>The column held only NULLs (<see cref="TableColumn.Untyped"/>): it takes the new type without converting a value.</summary>
    public bool FromNulls { get; init; }
}
