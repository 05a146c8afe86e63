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

/// <summary>
/// An SFTP server as a <c>files</c> location (<c>type: sftp</c>). Its host key is always verified:
/// against <see cref="KnownHosts"/> (by default <c>~/.ssh/known_hosts</c>) or a pinned
/// <see cref="HostKeyFingerprint"/>; an unknown or changed key stops the connection.
/// </summary>
internal sealed record SftpSettings
{
    public required string Host { get; init; }

    /// <value>22.</value>
    public int Port { get; init; } = 22;

    public required string User { get; init; }

    /// <summary>A secret: never printed, logged or audited.</summary>
    public string? Password { get; init; }

    /// <summary>The private key file (OpenSSH or PEM); its contents are never printed.</summary>
    public string? PrivateKey { get; init; }

    /// <summary>The private key's passphrase (a secret).</summary>
    public string? Passphrase { get; init; }

    /// <summary>The known_hosts file the host key must be in; used when no fingerprint is pinned.</summary>
    public string? KnownHosts { get; init; }

    /// <summary>The host key's SHA256 fingerprint as <c>ssh-keygen -lf</c> prints it (<c>SHA256:…</c>).</summary>
    public string? HostKeyFingerprint { get; init; }

    /// <summary>The folder on the server that globs are relative to (<c>path:</c>), without a trailing '/'.</summary>
    public string RemotePath { get; init; } = ".";

    /// <summary>How messages name the location: <c>sftp://user@host:port/path</c> (no secret in it).</summary>
    public string Describe() => $"sftp://{User}@{Host}:{Port}{(RemotePath.StartsWith('/') ? "" : "/")}{RemotePath}";

    /// <summary>Hides the password from <see cref="object.ToString"/>.</summary>
    public override string ToString() => Describe();
}

/// <summary>
/// A folder on a WebDAV server as a <c>files</c> location (<c>type: webdav</c>): listed with
/// PROPFIND, read with GET, and, after the commit, moved with MOVE or removed with DELETE.
/// </summary>
internal sealed record WebDavSettings
{
    /// <summary>The folder that globs are relative to (<c>url:</c>), with a trailing '/' and no user or password in it.</summary>
    public required Uri Url { get; init; }

    public string? User { get; init; }

    /// <summary>A secret: never printed, logged or audited.</summary>
    public string? Password { get; init; }

    /// <summary>A bearer token instead of a user and password (a secret).</summary>
    public string? Token { get; init; }

    /// <summary>A PEM file of certificate authorities trusted besides the system's (<c>tls: { ca_file: }</c>).</summary>
    public string? CaFile { get; init; }

    /// <summary>Accept any server certificate (<c>tls: { insecure_skip_verify: true }</c>); a warning is logged.</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary>How messages name the location: the folder's URL (no secret in it).</summary>
    public string Describe() => Url.ToString();

    /// <summary>Hides the password and token from <see cref="object.ToString"/>.</summary>
    public override string ToString() => Describe();
}

/// <summary>How an FTP connection protects itself (<c>tls:</c>).</summary>
internal enum FtpTls
{
    /// <summary>Plain FTP: the password and the files travel in clear (<c>tls: none</c>).</summary>
    None,

    /// <summary>FTPS with <c>AUTH TLS</c> on the usual port (<c>tls: explicit</c>, the default).</summary>
    Explicit,

    /// <summary>FTPS with TLS from the first byte, usually on port 990 (<c>tls: implicit</c>).</summary>
    Implicit,
}

/// <summary>
/// A folder on an FTP or FTPS server as a <c>files</c> location (<c>type: ftp</c>): listed with
/// MLSD (or LIST and MDTM), read with RETR in passive mode, and, after the commit, moved with
/// RNFR/RNTO or removed with DELE.
/// </summary>
internal sealed record FtpSettings
{
    public required string Host { get; init; }

    /// <value>21, or 990 with implicit TLS.</value>
    public required int Port { get; init; }

    /// <summary>The account (<c>user:</c>); <c>anonymous</c> when not given.</summary>
    public string User { get; init; } = "anonymous";

    /// <summary>A secret: never printed, logged or audited.</summary>
    public string? Password { get; init; }

    public FtpTls Tls { get; init; } = FtpTls.Explicit;

    /// <summary>A PEM file of certificate authorities trusted besides the system's (<c>tls: { ca_file: }</c>).</summary>
    public string? CaFile { get; init; }

    /// <summary>Accept any server certificate (<c>tls: { insecure_skip_verify: true }</c>); a warning is logged.</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary>The folder on the server that globs are relative to (<c>path:</c>), without a trailing '/'; null for the folder the login lands in.</summary>
    public string? RemotePath { get; init; }

    /// <summary>How messages name the location: <c>ftp://user@host:port/path</c> or <c>ftps://…</c> (no secret in it).</summary>
    public string Describe() => $"{(Tls == FtpTls.None ? "ftp" : "ftps")}://{User}@{Host}:{Port}{(RemotePath is null ? "/" : RemotePath.StartsWith('/') ? RemotePath : "/" + RemotePath)}";

    /// <summary>Hides the password from <see cref="object.ToString"/>.</summary>
    public override string ToString() => Describe();
}
