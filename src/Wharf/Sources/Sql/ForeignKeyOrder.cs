namespace Wharf.Sources.Sql;

/// <summary>
/// Orders tables so that every table comes after the tables its foreign keys reference.
/// Self-references need no order. A cycle is broken at its alphabetically first table, and said so.
/// </summary>
internal static class ForeignKeyOrder
{
    public sealed record Result(IReadOnlyList<CatalogTable> Tables, IReadOnlyList<string> Notes);

    /// <param name="after">More order: each table's qualified name, and the tables it must come after (<c>load_order:</c>).</param>
    public static Result Sort(IReadOnlyList<CatalogTable> tables, IReadOnlyDictionary<string, IReadOnlyList<string>>? after = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var byName = tables.ToDictionary(t => t.QualifiedName, StringComparer.Ordinal);
        var notes = new List<string>();
        var dependsOn = tables.ToDictionary(
            t => t.QualifiedName,
            t => t.ForeignKeys.Select(fk => fk.ReferencedQualifiedName)
                .Concat(after?.GetValueOrDefault(t.QualifiedName) ?? [])
                .Where(r => r != t.QualifiedName && byName.ContainsKey(r)).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        foreach (var table in tables.Where(t => t.ForeignKeys.Any(fk => fk.ReferencedQualifiedName == t.QualifiedName)))
        {
            notes.Add($"{table.QualifiedName} references itself; it is loaded in one step, so its rows satisfy the reference once loaded.");
        }

        var ordered = new List<CatalogTable>();
        var remaining = new SortedSet<string>(byName.Keys, StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var ready = remaining.FirstOrDefault(name => dependsOn[name].All(d => !remaining.Contains(d)));
            if (ready is null)
            {
                ready = remaining.Min!;
                var waiting = dependsOn[ready].Where(remaining.Contains).Order(StringComparer.Ordinal);
                notes.Add($"foreign keys form a cycle through {ready}: it is loaded before {string.Join(", ", waiting)}, which it references; the references hold once all are loaded.");
            }

            ordered.Add(byName[ready]);
            remaining.Remove(ready);
        }

        return new Result(ordered, notes);
    }
}
