namespace Wharf.Warehouses;

/// <summary>A loaded table's keys, in warehouse column names.</summary>
internal sealed record TableKeys(string Table, IReadOnlyList<string> PrimaryKey, IReadOnlyList<ForeignKey> ForeignKeys);

/// <summary>A foreign key between two warehouse tables of the same schema.</summary>
internal sealed record ForeignKey(IReadOnlyList<string> Columns, string ReferencedTable, IReadOnlyList<string> ReferencedColumns);
