using Npgsql;

namespace Wharf.Projects;

/// <summary>
/// A <c>postgres</c> connection of wharf.yml (a URL, or host, port, user… settings) as an Npgsql
/// connection string, checked as the project is read: a bad URL or sslmode is a
/// <see cref="ProjectFileException"/> that names the file, line and column.
/// </summary>
internal static class PostgresConnectionString
{
    /// <summary>The Npgsql connection string for a <c>postgres</c> connection (holds the password: never print it).</summary>
    public static string For(ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = new NpgsqlConnectionStringBuilder();
        if (settings.Url is { } url)
        {
            ApplyUrl(builder, url, settings);
        }

        builder.Host = settings.Host ?? builder.Host;
        builder.Port = settings.Port ?? (builder.Port == 0 ? 5432 : builder.Port);
        builder.Username = settings.User ?? builder.Username;
        builder.Password = settings.Password ?? builder.Password;
        builder.Database = settings.Database ?? builder.Database;
        if (settings.SslMode is { } sslMode)
        {
            builder.SslMode = ParseSslMode(sslMode, settings);
        }

        builder.RootCertificate = settings.SslRootCert is { } root ? FilePath(root, settings) : builder.RootCertificate;
        builder.SslCertificate = settings.SslCert is { } cert ? FilePath(cert, settings) : builder.SslCertificate;
        builder.SslKey = settings.SslKey is { } key ? FilePath(key, settings) : builder.SslKey;

        builder.ApplicationName = "wharf";
        builder.CommandTimeout = 0;
        return builder.ConnectionString;
    }

    /// <summary>Where the connection points, safe to print: <c>user@host:port/database</c>.</summary>
    public static string Describe(ConnectionSettings settings)
    {
        var builder = new NpgsqlConnectionStringBuilder(For(settings));
        return $"{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private static void ApplyUrl(NpgsqlConnectionStringBuilder builder, string url, ConnectionSettings settings)
    {
        var parsed = DatabaseUrl.Parse(url, settings, "postgres");
        builder.Username = parsed.User ?? builder.Username;
        builder.Password = parsed.Password ?? builder.Password;
        builder.Host = parsed.Host;
        builder.Port = parsed.Port ?? builder.Port;
        builder.Database = parsed.Database ?? builder.Database;
        foreach (var (key, value) in parsed.Parameters)
        {
            switch (key)
            {
                case "sslmode":
                    builder.SslMode = ParseSslMode(value, settings);
                    break;
                case "sslrootcert":
                    builder.RootCertificate = FilePath(value, settings);
                    break;
                case "sslcert":
                    builder.SslCertificate = FilePath(value, settings);
                    break;
                case "sslkey":
                    builder.SslKey = FilePath(value, settings);
                    break;
                case "user":
                    builder.Username = value;
                    break;
                case "password":
                    builder.Password = value;
                    break;
                case "application_name" or "connect_timeout" or "options" or "target_session_attrs":
                    break;
                default:
                    throw new ProjectFileException(settings.Location.File, settings.Location.Line, settings.Location.Column,
                        $"the url of connection '{settings.Name}' has the parameter '{key}', which Wharf does not understand. Supported: sslmode, sslrootcert, sslcert, sslkey, user, password.");
            }
        }
    }

    /// <summary>A certificate or key file: absolute, or relative to the folder of the file that declares the connection.</summary>
    private static string FilePath(string path, ConnectionSettings settings) =>
        Path.IsPathRooted(path) || string.IsNullOrEmpty(settings.Location.File)
            ? path
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.Location.File)) ?? ".", path));

    private static SslMode ParseSslMode(string value, ConnectionSettings settings) =>
        value.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "disable" => SslMode.Disable,
            "allow" => SslMode.Allow,
            "prefer" => SslMode.Prefer,
            "require" => SslMode.Require,
            "verifyca" => SslMode.VerifyCA,
            "verifyfull" => SslMode.VerifyFull,
            _ => throw new ProjectFileException(settings.Location.File, settings.Location.Line, settings.Location.Column,
                $"sslmode '{value}' of connection '{settings.Name}' is not one of disable, allow, prefer, require, verify-ca, verify-full."),
        };
}
