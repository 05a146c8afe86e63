namespace Wharf.Schema;

/// <summary>
/// How the incoming rows meet the table's schema under the contract: which columns are added or
/// widened, how each incoming column is projected (cast to the table's type when narrower), and
/// which rows or values are discarded. A change the contract does not allow fails here, before
/// anything is loaded, naming the table, the column and both types.
/// </summary>
internal sealed record SchemaPlan
{
    public IReadOnlyList<ColumnChange> Added { get; init; } = [];

    public IReadOnlyList<ColumnChange> Widened { get; init; } = [];

    /// <summary>One SQL expression per loaded column (<c>expr AS "name"</c>), in the table's order then new columns.</summary>
    public IReadOnlyList<string> Projection { get; init; } = [];

    /// <summary>The loaded columns' names, in <see cref="Projection"/> order.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>True for a row the contract discards (null when none can be).</summary>
    public string? DiscardRow { get; init; }

    /// <summary>The table does not exist and the contract discards new tables: nothing is loaded.</summary>
    public bool DiscardAll { get; init; }

    /// <summary>What the plan did, in words, for the run summary (added, widened, discarded).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <param name="existing">The table's columns; null when it does not exist yet.</param>
    /// <param name="incoming">The staged columns (names and DuckDB types), metadata excluded.</param>
    /// <param name="declaredText">Columns declared as text in <c>columns:</c>: any type may widen to text.</param>
    /// <param name="alias">The alias the projection reads the staged rows through.</param>
    /// <param name="rebuilds">The load rebuilds the table (mode: replace): under data_type: evolve a type no union holds is simply the new type.</param>
    public static SchemaPlan For(string table, IReadOnlyList<TableColumn>? existing, IReadOnlyList<(string Name, string Type)> incoming, SchemaContract contract, ISet<string> declaredText, string alias, bool rebuilds = false)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(declaredText);
        string Read(string name) => $"{alias}.{Quote.Identifier(name)}";
        var identity = new SchemaPlan
        {
            Projection = [.. incoming.Select(c => Read(c.Name))],
            Columns = [.. incoming.Select(c => c.Name)],
        };
        if (existing is null)
        {
            return contract.Tables switch
            {
                ContractMode.Evolve => identity,
                ContractMode.Freeze => throw new SchemaChangeException(
                    $"{table} does not exist, and the schema contract freezes new tables (schema_contract: tables: freeze). Nothing was loaded. " +
                    "Create the table first, or allow it with schema_contract: { tables: evolve }."),
                _ => identity with { DiscardAll = true, Notes = [$"discarded every row: {table} does not exist and schema_contract tables: {Name(contract.Tables)}"] },
            };
        }

        var plan = new SchemaChanges(table, contract, alias);
        var byName = incoming.ToDictionary(c => c.Name, c => LogicalType.FromDuckDb(c.Type), StringComparer.Ordinal);
        foreach (var column in existing)
        {
            plan.Fit(column, byName.TryGetValue(column.Name, out var type) ? type : null, declaredText.Contains(column.Name), rebuilds);
        }

        var known = existing.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, type) in incoming.Where(c => !known.Contains(c.Name)))
        {
            plan.Add(name, LogicalType.FromDuckDb(type));
        }

        return plan.ToPlan();
    }

    /// <summary>
    /// SQL that is true when the value converts to <paramref name="target"/> without loss. TRY_CAST
    /// alone is not enough: it rounds (10.5 becomes 11 in an integer column, 1.2345 becomes 1.23 in
    /// a decimal(5,2)), so a value fits only when converting it back gives the value that arrived.
    /// Text is parsed instead: it fits when it parses, and a number also when the parse is exact.
    /// </summary>
    public static string Fits(string read, LogicalType incoming, LogicalType target)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(target);
        var cast = $"TRY_CAST({read} AS {target.ToDuckDb()})";
        if (incoming.Kind != LogicalKind.Text)
        {
            return $"(CAST({cast} AS {incoming.ToDuckDb()}) = {read})";
        }

        return target.Kind is LogicalKind.Int8 or LogicalKind.Int16 or LogicalKind.Int32 or LogicalKind.Int64 or LogicalKind.Decimal
            ? $"({cast} = TRY_CAST({read} AS DOUBLE))"
            : $"({cast} IS NOT NULL)";
    }

    private static string Name(ContractMode mode) => mode == ContractMode.DiscardRow ? "discard_row" : "discard_column";
}
