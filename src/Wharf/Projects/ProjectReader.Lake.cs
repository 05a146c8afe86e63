using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary><c>lake:</c> (a folder, or <c>s3://bucket/prefix/</c> with the S3 location's credential options) and <c>lake_retention:</c>.</summary>
internal sealed partial class ProjectReader
{
    private static readonly string[] LakeKeys = ["url", "region", "endpoint", "path_style", "access_key", "secret_key"];
    private static readonly string[] RetentionKeys = ["keep_days", "keep_runs"];

    /// <summary>
    /// The lake's folder and, for a lake on S3, its bucket. An S3 lake is written to a local
    /// staging folder (<c>.wharf/lake-staging</c>) first and uploaded from there before the load commits.
    /// </summary>
    private (string Directory, S3Settings? S3) ReadLake(YamlMap top)
    {
        var node = top.Get("lake");
        if (node is null)
        {
            return (Path.GetFullPath(Path.Combine(root, "lake")), null);
        }

        if (node is YamlMappingNode)
        {
            var map = new YamlMap(node, this, "'lake'", LakeKeys);
            var url = NullIfEmpty(map.String("url")) ?? throw Error(node, "'lake' as a mapping needs 'url:' (e.g. url: s3://my-bucket/lake/).");
            return (StagingFolder, ReadLakeBucket(map.Get("url")!, url, map));
        }

        var value = Scalar(node, "'lake'");
        return value.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)
            ? (StagingFolder, ReadLakeBucket(node, value, map: null))
            : (Path.GetFullPath(Path.Combine(root, value)), null);
    }

    private string StagingFolder => Path.Combine(root, ".wharf", "lake-staging");

    private S3Settings ReadLakeBucket(YamlNode node, string url, YamlMap? map)
    {
        if (!url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            throw Error(node, $"the 'url' of 'lake' must be s3://BUCKET/PREFIX/ (a local lake is given as 'lake: FOLDER'), not '{url}'.");
        }

        var rest = url["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length == 0)
        {
            throw Error(node, $"'lake: {url}' names no bucket; write s3://BUCKET/PREFIX/ (e.g. s3://my-bucket/lake/).");
        }

        var accessKey = NullIfEmpty(map?.String("access_key"));
        var secretKey = NullIfEmpty(map?.String("secret_key"));
        if ((accessKey is null) != (secretKey is null))
        {
            throw Error(node, $"'lake' sets {(accessKey is null ? "'secret_key'" : "'access_key'")} without {(accessKey is null ? "'access_key'" : "'secret_key'")}; " +
                "give both (from ${VAR}s), or neither to use the AWS credential chain (environment, profile, instance role).");
        }

        var endpoint = NullIfEmpty(map?.String("endpoint"));
        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw Error(map!.Get("endpoint")!, $"the endpoint of 'lake' must be a URL such as http://127.0.0.1:9000, not '{endpoint}'.");
        }

        return new S3Settings
        {
            Bucket = bucket,
            Prefix = prefix.Length == 0 ? "" : prefix + "/",
            Region = NullIfEmpty(map?.String("region")),
            Endpoint = endpoint,
            PathStyle = map?.Bool("path_style") ?? false,
            AccessKey = accessKey,
            SecretKey = secretKey,
        };
    }

    /// <summary><c>lake_retention: { keep_days: 30, keep_runs: 10 }</c> (at the top, or in a pipeline to override it there).</summary>
    private LakeRetention? ReadRetention(YamlMap owner, string where)
    {
        if (owner.Map("lake_retention", RetentionKeys) is not { } map)
        {
            return null;
        }

        var days = map.Int("keep_days");
        var runs = map.Int("keep_runs");
        if (days is null && runs is null)
        {
            throw Error(map.Node, $"'lake_retention' {where} needs 'keep_days:' (extracts younger than so many days stay) and/or 'keep_runs:' (the newest so many runs of each stream stay).");
        }

        if (runs == 0)
        {
            throw Error(map.Get("keep_runs")!, $"'keep_runs' of 'lake_retention' {where} must be at least 1 (the latest run's extract is always needed for a replay).");
        }

        return new LakeRetention { KeepDays = days, KeepRuns = runs };
    }

    private LakeRetention? Retention(YamlNode pipeline, string name) =>
        ReadRetention(new YamlMap(pipeline, this, $"pipeline '{name}'", keys: null), $"of pipeline '{name}'");
}
