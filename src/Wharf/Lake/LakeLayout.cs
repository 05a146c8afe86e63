namespace Wharf.Lake;

/// <summary>
/// Where things go in the lake: <c>&lt;pipeline&gt;/&lt;stream&gt;/&lt;yyyy&gt;/&lt;mm&gt;/&lt;dd&gt;/&lt;run_id&gt;-&lt;part&gt;.parquet</c>,
/// with <c>.manifest.json</c> beside each file. Dates are the run's start, in UTC.
/// </summary>
public sealed class LakeLayout(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string PartPath(string pipeline, string stream, string runId, DateTimeOffset started, int part) =>
        Path.Combine(Root, pipeline, stream, started.UtcDateTime.ToString("yyyy"), started.UtcDateTime.ToString("MM"),
            started.UtcDateTime.ToString("dd"), $"{runId}-{part:D4}.parquet");

    public static string ManifestPath(string partPath) => Path.ChangeExtension(partPath, ".manifest.json");

    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');
}
