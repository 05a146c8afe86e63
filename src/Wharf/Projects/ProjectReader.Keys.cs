using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>Reads a pipeline's <c>foreign_keys:</c>, for source databases that declare none.</summary>
internal sealed partial class ProjectReader
{
    /// <summary><c>foreign_keys: { orders: { customer_id: customers.id } }</c>: per table, each column and the <c>table.column</c> it references.</summary>
    private ImmutableArray<DeclaredForeignKey> ReadDeclaredForeignKeys(YamlMap? map, string pipeline)
    {
        if (map is null)
        {
            return [];
        }

        var keys = ImmutableArray.CreateBuilder<DeclaredForeignKey>();
        foreach (var (table, _, value) in map.Entries)
        {
            var columns = new YamlMap(value, this, $"'foreign_keys: {table}' of pipeline '{pipeline}'", keys: null);
            foreach (var (column, _, target) in columns.Entries)
            {
                var reference = Scalar(target, $"'foreign_keys: {table}: {column}' of pipeline '{pipeline}'");
                var dot = reference.LastIndexOf('.');
                if (dot <= 0 || dot == reference.Length - 1)
                {
                    throw Error(target, $"pipeline '{pipeline}': 'foreign_keys: {table}: {column}' must name the referenced table and column as table.column (e.g. customers.id), not '{reference}'.");
                }

                keys.Add(new DeclaredForeignKey(table, column, reference[..dot], reference[(dot + 1)..]));
            }
        }

        return keys.ToImmutable();
    }
}
