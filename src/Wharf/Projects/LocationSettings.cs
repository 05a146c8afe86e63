namespace Wharf.Projects;

/// <summary>
/// An S3 (or S3-compatible) bucket as a <c>files</c> location (<c>type: s3</c>): where the files are
/// and how to reach them. Without <see cref="AccessKey"/> the AWS SDK's default credential chain
/// (environment, profile, instance role) is used.
/// </summary>
internal sealed record S3Settings
{
    public required string Bucket { get; init; }

    /// <summary>The folder inside the bucket that globs are relative to (<c>prefix:</c>), with a trailing '/', or empty.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The region (<c>region:</c>); us-east-1 when neither it nor the environment says.</summary>
    public string? Region { get; init; }

    /// <summary>An S3-compatible server (<c>endpoint:</c>, e.g. http://127.0.0.1:9000); AWS when null.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Addresses the bucket in the path (<c>path_style: true</c>), as most S3-compatible servers want.</summary>
    public bool PathStyle { get; init; }

    public string? AccessKey { get; init; }

    /// <summary>A secret: never printed, logged or audited.</summary>
    public string? SecretKey { get; init; }

    /// <summary>How messages name the location: <c>s3://bucket/prefix/</c> (no secret in it).</summary>
    public string Describe() => $"s3://{Bucket}/{Prefix}";

    /// <summary>Hides the secret key from <see cref="object.ToString"/>.</summary>
    public override string ToString() => Describe();
}

/// <summary>
/// What happens to a location's files once their rows are committed (<c>after_load:</c>): moved
/// to a folder relative to the connection's root, or deleted. Never before the commit.
/// </summary>
internal sealed record AfterLoadSettings
{
    /// <summary>The folder the files go to (<c>move_to: archive/</c>), relative to the connection's path or prefix; null when deleting.</summary>
    public string? MoveTo { get; init; }

    /// <summary>Whether the files are deleted (<c>delete: true</c>).</summary>
    public bool Delete { get; init; }
}
