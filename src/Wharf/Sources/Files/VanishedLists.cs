using System.Collections.Immutable;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Files;

/// <summary>
/// With <c>mode: replace</c>, a child table whose list is in none of this run's files is still a
/// stream of the run, loaded with no rows: the files say the list is gone, and a replace must leave
/// no rows behind that belong to parents that were replaced. The lake says which child tables
/// earlier runs made (a folder per stream) and the columns of the newest one, so the empty extract
/// has the table's columns and a replay empties the table too.
/// </summary>
internal static class VanishedLists
{
    /// <summary>The child streams of earlier runs that are not among <paramref name="listed"/>, newest columns with each.</summary>
    public static IEnumerable<SourceStream> Find(string? lakeDirectory, PipelineSettings pipeline, IReadOnlyCollection<string> listed, IReadOnlyList<string> files, string description)
    {
        var folder = lakeDirectory is null ? null : Path.Combine(lakeDirectory, pipeline.Name);
        if (pipeline.Mode != WriteMode.Replace || folder is null || !Directory.Exists(folder))
        {
            yield break;
        }

        var layout = new LakeLayout(lakeDirectory!);
        var prefix = pipeline.Table + "__";
        foreach (var streamFolder in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var stream = Path.GetFileName(streamFolder);
            // Delete detection's key files are streams named "<table>.keys": never a child table.
            if (!stream.StartsWith(prefix, StringComparison.Ordinal) || stream.Contains('.', StringComparison.Ordinal) || listed.Contains(stream))
            {
                continue;
            }

            var newest = Directory.EnumerateFiles(streamFolder, "*.parquet", SearchOption.AllDirectories).MaxBy(Path.GetFileName, StringComparer.Ordinal);
            if (newest is null || layout.ReadManifest(layout.Relative(newest)) is not { Columns.IsEmpty: false } manifest)
            {
                continue;
            }

            yield return new SourceStream(stream, $"{description}: list {stream[prefix.Length..].Replace("__", ".", StringComparison.Ordinal)} is in none of them, so {stream} is emptied", stream, files)
            {
                PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex],
                NestedPath = [.. stream[prefix.Length..].Split("__")],
                EmptiedColumns = manifest.Columns,
            };
        }
    }

    /// <summary>No rows, with the columns and types of the table's last extract.</summary>
    public static string EmptySelect(ImmutableArray<LakeColumn> columns) =>
        $"SELECT {string.Join(", ", columns.Select(c => $"CAST(NULL AS {c.Type}) AS {Quote.Identifier(c.Name)}"))} WHERE false";
}
