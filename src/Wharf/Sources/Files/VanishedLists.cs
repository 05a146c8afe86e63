using System.Collections.Immutable;
using Wharf.Lake;
using Wharf.Projects;

namespace Wharf.Sources.Files;

/// <summary>
/// With <c>mode: replace</c>, a child table whose list is in none of this run's files is still a
/// stream of the run, loaded with no rows: the files say the list is gone, and a replace must leave
/// no rows behind that belong to parents that were replaced (so must <c>--full-refresh</c> of a
/// stream committed part by part: see <c>StreamRun</c>). The lake says which child tables
/// earlier runs made (a folder per stream) and the columns of the newest one, so the empty extract
/// has the table's columns and a replay empties the table too.
/// </summary>
internal static class VanishedLists
{
    /// <summary>The child streams of earlier runs that are not among <paramref name="listed"/>, newest columns with each.</summary>
    public static IEnumerable<SourceStream> Find(string? lakeDirectory, PipelineSettings pipeline, IReadOnlyCollection<string> listed, IReadOnlyList<string> files, string description)
    {
        if (pipeline.Mode != WriteMode.Replace)
        {
            yield break;
        }

        foreach (var list in Earlier(lakeDirectory, pipeline.Name, pipeline.Table, listed))
        {
            yield return new SourceStream(list.Stream, $"{description}: list {string.Join(".", list.Path)} is in none of them, so {list.Stream} is emptied", list.Stream, files)
            {
                PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex],
                NestedPath = list.Path,
                EmptiedColumns = list.Columns,
            };
        }
    }

    /// <summary>
    /// The child tables of <paramref name="table"/> that earlier runs of the pipeline extracted (a
    /// lake folder each), other than <paramref name="listed"/>: each with its list's path and the
    /// columns of its newest extract. None when the lake is not a local folder.
    /// </summary>
    public static IEnumerable<(string Stream, ImmutableArray<string> Path, ImmutableArray<LakeColumn> Columns)> Earlier(
        string? lakeDirectory, string pipeline, string table, IReadOnlyCollection<string> listed)
    {
        var folder = lakeDirectory is null ? null : Path.Combine(lakeDirectory, pipeline);
        if (folder is null || !Directory.Exists(folder))
        {
            yield break;
        }

        var layout = new LakeLayout(lakeDirectory!);
        var prefix = table + "__";
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

            yield return (stream, [.. stream[prefix.Length..].Split("__")], manifest.Columns);
        }
    }

    /// <summary>No rows, with the columns and types of the table's last extract.</summary>
    public static string EmptySelect(ImmutableArray<LakeColumn> columns) =>
        $"SELECT {string.Join(", ", columns.Select(c => $"CAST(NULL AS {c.Type}) AS {Quote.Identifier(c.Name)}"))} WHERE false";
}
