namespace Wharf.Schema;

/// <summary>
/// A <see cref="SchemaPlan"/> for an existing table, column by column: each of the table's
/// columns fitted to the incoming type, then each new column added, under the contract.
/// </summary>
internal sealed class SchemaChanges(string table, SchemaContract contract, string alias)
{
    private readonly List<string> projection = [];
    private readonly List<string> columns = [];
    private readonly List<ColumnChange> added = [];
    private readonly List<ColumnChange> widened = [];
    private readonly List<string> discards = [];
    private readonly List<string> notes = [];

    /// <summary>Fits one of the table's columns to its type in the new data (null: the data lacks it).</summary>
    /// <param name="declaredText">The column is declared as text in <c>columns:</c>: any type may widen to text.</param>
    /// <exception cref="SchemaChangeException">The change narrows the column, or the contract freezes types.</exception>
    public void Fit(TableColumn column, LogicalType? type, bool declaredText, bool rebuilds)
    {
        if (type is null)
        {
            // Gone from the source: new rows get NULL. Wharf's own columns (history, soft deletes) are the mode's business.
            if (!column.Name.StartsWith("_wharf_", StringComparison.Ordinal) && column.Type.Kind != LogicalKind.Other)
            {
                projection.Add($"CAST(NULL AS {column.Type.ToDuckDb()}) AS {Quote.Identifier(column.Name)}");
                columns.Add(column.Name);
            }

            return;
        }

        columns.Add(column.Name);
        var read = Read(column.Name);
        if (column.Untyped && type.Kind != LogicalKind.Json && contract.DataType == ContractMode.Evolve)
        {
            widened.Add(new ColumnChange(column.Name, column.Type, type) { FromNulls = true });
            notes.Add($"typed {column.Name} as {type} (it held only NULLs, as {column.Type})");
            projection.Add(read);
            return;
        }

        var union = type.Kind == LogicalKind.Text && declaredText ? LogicalType.Text : LogicalType.Union(column.Type, type);
        if (union == column.Type)
        {
            projection.Add(type == column.Type ? read : $"CAST({read} AS {column.Type.ToDuckDb()}) AS {Quote.Identifier(column.Name)}");
            return;
        }

        var change = $"{table}.{column.Name} is {column.Type} in the warehouse and {type} in the new data";
        switch (contract.DataType)
        {
            case ContractMode.Evolve when union is not null:
                widened.Add(new ColumnChange(column.Name, column.Type, union));
                notes.Add($"widened {column.Name} from {column.Type} to {union}");
                projection.Add($"CAST({read} AS {union.ToDuckDb()}) AS {Quote.Identifier(column.Name)}");
                break;
            case ContractMode.Evolve when rebuilds:
                notes.Add($"{column.Name} is now {type} (was {column.Type}; replace rebuilds the table)");
                projection.Add(read);
                break;
            case ContractMode.Evolve:
                throw new SchemaChangeException(
                    $"{change}: that would narrow the column or lose values, so nothing was loaded. " +
                    $"Declare the type you want in 'columns:' (e.g. {column.Name}: text), fix the source, or rebuild the table with --full-refresh.");
            case ContractMode.Freeze:
                throw new SchemaChangeException(
                    $"{change}, and the schema contract freezes types (schema_contract: data_type: freeze). Nothing was loaded. " +
                    "Fix the source, or allow the change with schema_contract: { data_type: evolve }.");
            case ContractMode.DiscardRow:
                discards.Add($"({read} IS NOT NULL AND NOT coalesce({SchemaPlan.Fits(read, type, column.Type)}, FALSE))");
                notes.Add($"discarded rows whose {column.Name} ({type}) does not fit {column.Type}");
                projection.Add($"TRY_CAST({read} AS {column.Type.ToDuckDb()}) AS {Quote.Identifier(column.Name)}");
                break;
            default:
                notes.Add($"discarded values of {column.Name} ({type}) that do not fit {column.Type}");
                projection.Add($"CASE WHEN {SchemaPlan.Fits(read, type, column.Type)} THEN TRY_CAST({read} AS {column.Type.ToDuckDb()}) END AS {Quote.Identifier(column.Name)}");
                break;
        }
    }

    /// <summary>A column the table does not have yet.</summary>
    /// <exception cref="SchemaChangeException">The contract freezes columns.</exception>
    public void Add(string name, LogicalType type)
    {
        switch (contract.Columns)
        {
            case ContractMode.Evolve:
                added.Add(new ColumnChange(name, null, type));
                notes.Add($"added column {name} ({type})");
                projection.Add(Read(name));
                columns.Add(name);
                break;
            case ContractMode.Freeze:
                throw new SchemaChangeException(
                    $"The new data has a column {name} ({type}) that {table} does not, and the schema contract freezes columns " +
                    "(schema_contract: columns: freeze). Nothing was loaded. Drop it with a transform (exclude), or allow it with schema_contract: { columns: evolve }.");
            case ContractMode.DiscardRow:
                discards.Add($"{Read(name)} IS NOT NULL");
                notes.Add($"discarded rows with a value in the new column {name}");
                break;
            default:
                notes.Add($"discarded the new column {name}");
                break;
        }
    }

    public SchemaPlan ToPlan() => new()
    {
        Added = added,
        Widened = widened,
        Projection = projection,
        Columns = columns,
        DiscardRow = discards.Count == 0 ? null : string.Join(" OR ", discards),
        Notes = notes,
    };

    private string Read(string name) => $"{alias}.{Quote.Identifier(name)}";
}
