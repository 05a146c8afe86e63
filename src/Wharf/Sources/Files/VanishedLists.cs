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
/// has the table's columns and a replay empties the table too. The lake may be on S3: its listing
/// and the newest manifests are read from the bucket.
/// </summary>
internal static class VanishedLists
{
    /// <summary>The child streams of earlier runs that are not among <paramref name="listed"/>, newest columns with each.</summary>
    public static async Task<IReadOnlyList<SourceStream>> FindAsync(ILakeStore? lake, PipelineSettings pipeline, IReadOnlyCollection<string> listed, IReadOnlyList<string> files, string description, CancellationToken cancellationToken)
    {
        if (pipeline.Mode != WriteMode.Replace)
        {
            return [];
        }

        return [.. (await EarlierAsync(lake, pipeline.Name, pipeline.Table, listed, cancellationToken)).Select(list =>
            new SourceStream(list.Stream, $"{description}: list {string.Join(".", list.Path)} is in none of them, so {list.Stream} is emptied", list.Stream, files)
            {
                PrimaryKey = [NestedJson.ParentId, NestedJson.ListIndex],
                NestedPath = list.Path,
                EmptiedColumns = list.Columns,
            })];
    }

    /// <summary>A child table an earlier run extracted: its stream, its list's path, the columns of its newest extract.</summary>
    public sealed record EarlierList(string Stream, ImmutableArray<string> Path, ImmutableArray<LakeColumn> Columns);

    /// <summary>
    /// The child tables of <paramref name="table"/> that earlier runs of the pipeline extracted (a
    /// lake folder each, locally or on S3), other than <paramref name="listed"/>. None without a lake (a dry run).
    /// </summary>
    public static async Task<IReadOnlyList<EarlierList>> EarlierAsync(
        ILakeStore? lake, string pipeline, string table, IReadOnlyCollection<string> listed, CancellationToken cancellationToken)
    {
        if (lake is null)
        {
            return [];
        }

        // Each stream's newest part that has its manifest (parts are named by run id, which sorts by time).
        var prefix = table + "__";
        var parts = new HashSet<string>(StringComparer.Ordinal);
        var manifests = new List<LakeObject>();
        await foreach (var file in lake.ListAsync(pipeline, cancellationToken))
        {
            // Delete detection's key files are streams named "<table>.keys": never a child table.
            if (!file.Stream.StartsWith(prefix, StringComparison.Ordinal) || file.Stream.Contains('.', StringComparison.Ordinal) || listed.Contains(file.Stream))
            {
                continue;
            }

            if (file.IsManifest)
            {
                manifests.Add(file);
            }
            else if (file.Path.EndsWith(".parquet", StringComparison.Ordinal))
            {
                parts.Add(file.Base);
            }
        }

        var earlier = new List<EarlierList>();
        foreach (var newest in manifests.Where(m => parts.Contains(m.Base)).GroupBy(m => m.Stream, StringComparer.Ordinal)
            .Select(g => g.MaxBy(m => m.Base[(m.Base.LastIndexOf('/') + 1)..], StringComparer.Ordinal)!)
            .OrderBy(m => m.Stream, StringComparer.Ordinal))
        {
            var manifest = await lake.ReadManifestAsync(newest.Path, cancellationToken);
            if (!manifest.Columns.IsEmpty)
            {
                earlier.Add(new EarlierList(newest.Stream, [.. newest.Stream[prefix.Length..].Split("__")], manifest.Columns));
            }
        }

        return earlier;
    }

    /// <summary>No rows, with the columns and types of the table's last extract.</summary>
    public static string EmptySelect(ImmutableArray<LakeColumn> columns) =>
        $"SELECT {string.Join(", ", columns.Select(c => $"CAST(NULL AS {c.Type}) AS {Quote.Identifier(c.Name)}"))} WHERE false";
}
