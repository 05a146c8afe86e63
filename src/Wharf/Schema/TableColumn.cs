namespace Wharf.Schema;

/// <summary>A column of an existing warehouse table, in logical terms.</summary>
internal sealed record TableColumn(string Name, LogicalType Type)
{
    /// <summary>
    /// A json column that holds only NULLs: what a field that was null in every record of the first
    /// load became, before any value said its type. The first values to arrive give it theirs.
    /// </summary>
    public bool Untyped { get; init; }
}
