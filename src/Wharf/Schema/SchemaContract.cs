namespace Wharf.Schema;

/// <summary>
/// What a load may change in the warehouse's schema, for new tables, new columns and changed
/// types separately (<c>schema_contract:</c>, as dlt has it).
/// </summary>
internal sealed record SchemaContract(ContractMode Tables = ContractMode.Evolve, ContractMode Columns = ContractMode.Evolve, ContractMode DataType = ContractMode.Evolve);

internal enum ContractMode
{
    /// <summary>Create the table, add the column, widen the type.</summary>
    Evolve,

    /// <summary>Fail before loading anything.</summary>
    Freeze,

    /// <summary>Load the other rows; drop the rows that carry the change.</summary>
    DiscardRow,

    /// <summary>Load the rows without the change: the new column (or the value that does not fit) is dropped.</summary>
    DiscardColumn,
}
