namespace Wharf.Schema;

/// <summary>A column of an existing warehouse table, in logical terms.</summary>
internal sealed record TableColumn(string Name, LogicalType Type);
