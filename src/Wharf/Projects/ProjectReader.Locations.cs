using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>Where a files connection's files are (<c>type: s3</c>, <c>sftp</c>, <c>ftp</c>, <c>webdav</c>), and <c>incremental: files</c> and <c>after_load:</c> of its pipelines.</summary>
internal sealed partial class ProjectReader
{
    private S3Settings ReadS3(YamlMap connection, YamlNode value, string name)
    {
        var bucket = connection.String("bucket");
        if (string.IsNullOrWhiteSpace(bucket))
        {
            throw Error(value, $"connection '{name}' needs 'bucket:' (the S3 bucket's name, e.g. bucket: raw-data).");
        }

        var prefix = (connection.String("prefix") ?? "").Replace('\\', '/').TrimStart('/');
        var accessKey = NullIfEmpty(connection.String("access_key"));
        var secretKey = NullIfEmpty(connection.String("secret_key"));
        if ((accessKey is null) != (secretKey is null))
        {
            throw Error(value, $"connection '{name}' sets {(accessKey is null ? "'secret_key'" : "'access_key'")} without {(accessKey is null ? "'access_key'" : "'secret_key'")}; " +
                "give both (from ${VAR}s), or neither to use the AWS credential chain (environment, profile, instance role).");
        }

        var endpoint = NullIfEmpty(connection.String("endpoint"));
        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            throw Error(connection.Get("endpoint")!, $"the endpoint of connection '{name}' must be a URL such as http://127.0.0.1:9000, not '{endpoint}'.");
        }

        return new S3Settings
        {
            Bucket = bucket,
            Prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/",
            Region = NullIfEmpty(connection.String("region")),
            Endpoint = endpoint,
            PathStyle = connection.Bool("path_style") ?? false,
            AccessKey = accessKey,
            SecretKey = secretKey,
        };
    }

    private SftpSettings ReadSftp(YamlMap connection, YamlNode value, string name)
    {
        var host = NullIfEmpty(connection.String("host")) ?? throw Error(value, $"connection '{name}' needs 'host:' (the SFTP server, e.g. sftp.partner.example).");
        var user = NullIfEmpty(connection.String("user")) ?? throw Error(value, $"connection '{name}' needs 'user:' (the account to log in as).");
        var password = NullIfEmpty(connection.String("password"));
        var key = NullIfEmpty(connection.String("private_key"));
        if (password is null && key is null)
        {
            throw Error(value, $"connection '{name}' needs 'password:' or 'private_key:' (a key file; both from ${{VAR}}s).");
        }

        var fingerprint = NullIfEmpty(connection.String("host_key_fingerprint"));
        if (fingerprint is not null && !fingerprint.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            throw Error(connection.Get("host_key_fingerprint")!, $"the host_key_fingerprint of connection '{name}' must be SHA256:… as `ssh-keygen -lf` prints it, not '{fingerprint}'.");
        }

        var knownHosts = NullIfEmpty(connection.String("known_hosts"));
        return new SftpSettings
        {
            Host = host,
            Port = connection.Int("port") ?? 22,
            User = user,
            Password = password,
            PrivateKey = key is null ? null : HomePath(key),
            Passphrase = NullIfEmpty(connection.String("passphrase")),
            KnownHosts = knownHosts is null ? (fingerprint is null ? HomePath("~/.ssh/known_hosts") : null) : HomePath(knownHosts),
            HostKeyFingerprint = fingerprint,
            RemotePath = (connection.String("path") ?? ".").Replace('\\', '/') is var path && path.Length > 1 ? path.TrimEnd('/') : path,
        };
    }

    private WebDavSettings ReadWebDav(YamlMap connection, YamlNode value, string name)
    {
        var text = NullIfEmpty(connection.String("url")) ?? throw Error(value, $"connection '{name}' needs 'url:' (the WebDAV folder, e.g. https://dav.example/remote.php/dav/files/etl/).");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw Error(connection.Get("url")!, $"the url of connection '{name}' must be an http:// or https:// URL of the WebDAV folder, not '{ConnectionUrl.Redact(text)}'.");
        }

        if (url.UserInfo.Length > 0)
        {
            throw Error(connection.Get("url")!, $"the url of connection '{name}' has a user in it; give 'user:' and 'password:' (from ${{VAR}}s) instead.");
        }

        var user = NullIfEmpty(connection.String("user"));
        var password = NullIfEmpty(connection.String("password"));
        var token = NullIfEmpty(connection.String("token"));
        if ((user is null) != (password is null))
        {
            throw Error(value, $"connection '{name}' sets {(user is null ? "'password'" : "'user'")} without {(user is null ? "'user'" : "'password'")}; give both (the password from ${{VAR}}), or 'token:' for a bearer token.");
        }

        if (token is not null && user is not null)
        {
            throw Error(value, $"connection '{name}' sets both 'user:'/'password:' and 'token:'; use one of them.");
        }

        var (caFile, skipTlsVerify) = ReadTls(connection, $"connection '{name}'");
        return new WebDavSettings
        {
            Url = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/"),
            User = user,
            Password = password,
            Token = token,
            CaFile = caFile,
            SkipTlsVerify = skipTlsVerify,
        };
    }

    private FtpSettings ReadFtp(YamlMap connection, YamlNode value, string name)
    {
        var host = NullIfEmpty(connection.String("host")) ?? throw Error(value, $"connection '{name}' needs 'host:' (the FTP server, e.g. ftp.partner.example).");
        var user = NullIfEmpty(connection.String("user"));
        var password = NullIfEmpty(connection.String("password"));
        if (user is null && password is not null)
        {
            throw Error(value, $"connection '{name}' sets 'password:' without 'user:'; give both, or neither to log in as anonymous.");
        }

        // tls: explicit | implicit | none, or tls: { mode: explicit, ca_file: ..., insecure_skip_verify: true }.
        var tls = connection.Get("tls");
        var mode = tls is YamlScalarNode ? Scalar(tls, $"'tls' of connection '{name}'") : connection.Map("tls", ["mode", "ca_file", "insecure_skip_verify"])?.String("mode");
        var (caFile, skipTlsVerify) = tls is YamlScalarNode ? (null, false) : ReadTls(connection, $"connection '{name}'", "mode");
        var protection = mode switch
        {
            null or "explicit" => FtpTls.Explicit,
            "implicit" => FtpTls.Implicit,
            "none" => FtpTls.None,
            _ => throw Error(tls!, $"'tls' of connection '{name}' is explicit (AUTH TLS, the default), implicit (TLS from the first byte, port 990) or none (plain FTP: the password travels in clear), not '{mode}'."),
        };

        var path = NullIfEmpty(connection.String("path")?.Replace('\\', '/'));
        return new FtpSettings
        {
            Host = host,
            Port = connection.Int("port") ?? (protection == FtpTls.Implicit ? 990 : 21),
            User = user ?? "anonymous",
            Password = password,
            Tls = protection,
            CaFile = caFile,
            SkipTlsVerify = skipTlsVerify,
            RemotePath = path is null ? null : path.Length > 1 ? path.TrimEnd('/') : path,
        };
    }

    /// <summary>A file path as ssh reads it: <c>~/</c> is the home folder; relative paths are relative to the project.</summary>
    private string HomePath(string path) => path.StartsWith("~/", StringComparison.Ordinal)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
        : Path.GetFullPath(Path.Combine(root, path));

    /// <summary>${VAR:-} gives an empty value for "not set": treated as absent.</summary>
    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary><c>incremental: files</c>: only files not loaded before.</summary>
    private bool ReadNewFilesOnly(YamlMap pipeline, string name)
    {
        if (pipeline.Get("incremental") is not { } node)
        {
            return false;
        }

        var value = Scalar(node, $"'incremental' of pipeline '{name}'");
        if (value != "files")
        {
            throw Error(node, $"pipeline '{name}': 'incremental' can only be 'files' (load each file once: new or changed files only), not '{value}'. Row-level incremental loading uses 'cursor:'.");
        }

        if (pipeline.Get("cursor") is { } cursor)
        {
            throw Error(cursor, $"pipeline '{name}': 'incremental: files' loads whole new files, and 'cursor:' new rows; use one of them.");
        }

        if (pipeline.Get("change_detection") is { } hash)
        {
            throw Error(hash, $"pipeline '{name}': 'change_detection: hash' compares full extracts, and 'incremental: files' reads only new files; use one of them.");
        }

        if (pipeline.Enum("mode", WriteMode.Append) == WriteMode.Replace)
        {
            throw Error(node, $"pipeline '{name}': mode: replace rebuilds the table from what a run reads, so with 'incremental: files' the table would keep only the newest files' rows. " +
                "Use mode: append (or merge with 'primary_key:') to add each new file's rows, or remove 'incremental: files' to reload every file each run.");
        }

        return true;
    }

    /// <summary><c>after_load: { move_to: archive/ }</c> or <c>{ delete: true }</c>.</summary>
    private AfterLoadSettings? ReadAfterLoad(YamlMap pipeline, string name, ConnectionSettings connection)
    {
        if (pipeline.Map("after_load", ["move_to", "delete"]) is not { } map)
        {
            return null;
        }

        var moveTo = NullIfEmpty(map.String("move_to")?.Replace('\\', '/').Trim('/'));
        var delete = map.Bool("delete") ?? false;
        if ((moveTo is null) == !delete)
        {
            throw Error(map.Node, $"pipeline '{name}': 'after_load' needs one of 'move_to:' (a folder, e.g. archive/) or 'delete: true'.");
        }

        if (moveTo is not null && (moveTo.Split('/').Contains("..") || moveTo.IndexOfAny(['*', '?']) >= 0))
        {
            throw Error(map.Get("move_to")!, $"pipeline '{name}': 'move_to' must be a folder inside connection '{connection.Name}' (no '..' and no wildcards), not '{moveTo}'.");
        }

        return new AfterLoadSettings { MoveTo = moveTo, Delete = delete };
    }
}
