using System.Collections.Immutable;
using Wharf.Lake;

namespace Wharf.Sources.Files;

/// <summary>
/// The child tables of a part committed on its own (<see cref="ExtractRequest.OnPart"/>): the lists
/// of the part's records, each written to the lake as the same part of a stream of its own.
/// </summary>
internal static class ChildParts
{
    /// <summary>Writes every table of <paramref name="tables"/> but the root (the first), keyed by parent and place in the list.</summary>
    /// <param name="roots">A query of the root ids (<c>_wharf_id</c>) whose lists belong to the part; null when the part holds every record the tables read.</param>
    public static async Task<IReadOnlyList<ChildPart>> WriteAsync(
        ExtractRequest request, IReadOnlyList<NestedTable> tables, int part, ImmutableArray<LakeSourceFile> sources, string? roots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tables);
        var children = new List<ChildPart>();
        foreach (var table in tables.Skip(1))
        {
            var target = request.Target with { Stream = table.Table, Part = part, PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex] };
            var rows = roots is null ? table.Sql : $"SELECT * FROM ({table.Sql}) WHERE {NestedJson.RootId} IN ({roots})";
            children.Add(new ChildPart(table.Table, table.Path, await request.Lake.WriteAsync(request.WorkArea, target, rows, sources, cancellationToken)));
        }

        return children;
    }
}
