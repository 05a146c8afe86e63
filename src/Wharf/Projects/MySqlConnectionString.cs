using MySqlConnector;

namespace Wharf.Projects;

/// <summary>
/// A <c>mysql</c> connection of wharf.yml (a <c>mysql://</c> or <c>mariadb://</c> URL, or host,
/// port, user… settings) as a MySqlConnector connection string, checked as the project is read:
/// a bad URL or ssl_mode is a <see cref="ProjectFileException"/> that names the file and line.
/// </summary>
internal static class MySqlConnectionString
{
    public static bool IsMySqlUrl(string url) =>
        url.StartsWith("mysql://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("mariadb://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string (holds the password: never print it).</summary>
    public static string For(ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = new MySqlConnectionStringBuilder { Port = 3306 };
        if (settings.Url is { } url)
        {
            ApplyUrl(builder, url, settings);
        }

        builder.Server = settings.Host ?? builder.Server;
        builder.Port = settings.Port is { } port ? (uint)port : builder.Port;
        builder.UserID = settings.User ?? builder.UserID;
        builder.Password = settings.Password ?? builder.Password;
        builder.Database = settings.Database ?? builder.Database;
        if (settings.SslMode is { } sslMode)
        {
            builder.SslMode = ParseSslMode(sslMode, settings);
        }

        // Values are read exactly as stored: zero dates come as MySqlDateTime (the source decides
        // NULL or an error), TINYINT(1) as a number (checked to be 0 or 1), CHAR(36) and BINARY(16)
        // as text and bytes, never guessed to be GUIDs.
        builder.AllowZeroDateTime = true;
        builder.ConvertZeroDateTime = false;
        builder.TreatTinyAsBoolean = false;
        builder.GuidFormat = MySqlGuidFormat.None;
        builder.ApplicationName = "wharf";
        builder.DefaultCommandTimeout = 0;
        return builder.ConnectionString;
    }

    /// <summary>Where the connection points, safe to print: <c>user@host:port/database</c>.</summary>
    public static string Describe(ConnectionSettings settings)
    {
        var builder = new MySqlConnectionStringBuilder(For(settings));
        return $"{builder.UserID}@{builder.Server}:{builder.Port}/{builder.Database}";
    }

    private static void ApplyUrl(MySqlConnectionStringBuilder builder, string url, ConnectionSettings settings)
    {
        var parsed = DatabaseUrl.Parse(url, settings, "mysql");
        builder.UserID = parsed.User ?? builder.UserID;
        builder.Password = parsed.Password ?? builder.Password;
        builder.Server = parsed.Host;
        builder.Port = parsed.Port is { } port ? (uint)port : builder.Port;
        builder.Database = parsed.Database ?? builder.Database;
        foreach (var (key, value) in parsed.Parameters)
        {
            switch (key.ToLowerInvariant())
            {
                case "ssl_mode" or "sslmode" or "ssl-mode":
                    builder.SslMode = ParseSslMode(value, settings);
                    break;
                case "user":
                    builder.UserID = value;
                    break;
                case "password":
                    builder.Password = value;
                    break;
                default:
                    throw new ProjectFileException(settings.Location.File, settings.Location.Line, settings.Location.Column,
                        $"the url of connection '{settings.Name}' has the parameter '{key}', which Wharf does not understand. Supported: ssl_mode, user, password.");
            }
        }
    }

    /// <summary>MySQL's own names (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY) and PostgreSQL's (disable … verify-full) alike.</summary>
    private static MySqlSslMode ParseSslMode(string value, ConnectionSettings settings) =>
        value.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "disable" or "disabled" or "none" => MySqlSslMode.None,
            "prefer" or "preferred" => MySqlSslMode.Preferred,
            "require" or "required" => MySqlSslMode.Required,
            "verifyca" => MySqlSslMode.VerifyCA,
            "verifyfull" or "verifyidentity" => MySqlSslMode.VerifyFull,
            _ => throw new ProjectFileException(settings.Location.File, settings.Location.Line, settings.Location.Column,
                $"ssl_mode '{value}' of connection '{settings.Name}' is not one of disabled, preferred, required, verify_ca, verify_identity."),
        };
}
