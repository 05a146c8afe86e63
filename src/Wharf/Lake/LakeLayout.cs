namespace Wharf.Lake;

/// <summary>
/// Where things go in the lake: <c>&lt;pipeline&gt;/&lt;stream&gt;/&lt;yyyy&gt;/&lt;mm&gt;/&lt;dd&gt;/&lt;run_id&gt;-&lt;part&gt;.parquet</c>,
/// with <c>.manifest.json</c> beside each file. Dates are the run's start, in UTC.
/// </summary>
internal sealed class LakeLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string PartPath(string pipeline, string stream, string runId, DateTimeOffset started, int part) =>
        Path.Combine(Root, pipeline, stream, started.UtcDateTime.ToString("yyyy"), started.UtcDateTime.ToString("MM"),
            started.UtcDateTime.ToString("dd"), $"{runId}-{part:D4}.parquet");

    public static string ManifestPath(string partPath) => Path.ChangeExtension(partPath, ".manifest.json");

    /// <summary>Lake files (their paths relative to <paramref name="root"/>) as the list of quoted paths that <c>read_parquet([…])</c> takes.</summary>
    public static string ParquetList(string root, IEnumerable<LakeManifest> files) =>
        string.Join(", ", files.Select(f => Quote.Literal(Path.Combine(root, f.File))));

    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>The manifest of a lake file (relative to the root), or null when the file or its manifest is gone.</summary>
    /// <param name="fileToo">Whether the file must be there too (false: a replay from S3 has the manifests before it downloads the files).</param>
    public LakeManifest? ReadManifest(string file, bool fileToo = true)
    {
        var path = Path.Combine(Root, file);
        var manifest = ManifestPath(path);
        return (!fileToo || File.Exists(path)) && File.Exists(manifest) ? Load(manifest) : null;
    }

    /// <summary>Every manifest of a pipeline, in the order the parts were written (run id, then file).</summary>
    public IEnumerable<LakeManifest> Manifests(string pipeline)
    {
        var folder = Path.Combine(Root, pipeline);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(folder, "*.manifest.json", SearchOption.AllDirectories)
            .Select(path => Load(path))
            .OrderBy(m => m.RunId, StringComparer.Ordinal).ThenBy(m => m.File, StringComparer.Ordinal);
    }

    /// <summary>Reads a manifest file; a damaged one fails naming it (as <paramref name="shownAs"/>, for a downloaded copy).</summary>
    public static LakeManifest Load(string manifestPath, string? shownAs = null)
    {
        var name = shownAs ?? manifestPath;
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize(File.ReadAllText(manifestPath), LakeManifest.Json)
                ?? throw new LakeException(name, $"The lake manifest {name} is empty.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new LakeException(name,
                $"The lake manifest {name} is damaged ({ex.Message}); it was written once and never changes, so restore it from a backup of the lake. Nothing was read.");
        }
    }
}
