namespace Wharf.Projects;

/// <summary>
/// A database server's URL, <c>scheme://user:password@host:port/database?key=value</c>, parsed by
/// hand rather than with <see cref="Uri"/>: a password from <c>${VAR}</c> often holds '@', ':' or
/// '/', and users should not have to percent-encode it (encoded forms are decoded too). A part the
/// URL leaves out is null.
/// </summary>
internal sealed record DatabaseUrl(string? User, string? Password, string Host, int? Port, string? Database, IReadOnlyList<(string Key, string Value)> Parameters)
{
    /// <exception cref="ProjectFileException">No host, or a port that is not one; names the connection's file and line.</exception>
    public static DatabaseUrl Parse(string url, ConnectionSettings settings, string scheme)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(settings);
        ProjectFileException Invalid(string why) => new(settings.Location.File, settings.Location.Line, settings.Location.Column,
            $"the url of connection '{settings.Name}' is not a valid {scheme}:// URL ({why}); expected {scheme}://user:password@host:port/database.");

        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        var queryStart = rest.IndexOf('?', rest.LastIndexOf('@') + 1);
        if (queryStart >= 0)
        {
            query = rest[(queryStart + 1)..];
            rest = rest[..queryStart];
        }

        string? user = null, password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon >= 0 ? userInfo[..colon] : userInfo);
            password = colon >= 0 ? Uri.UnescapeDataString(userInfo[(colon + 1)..]) : null;
            rest = rest[(at + 1)..];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var hostPort = slash >= 0 ? rest[..slash] : rest;
        var database = slash >= 0 ? Uri.UnescapeDataString(rest[(slash + 1)..]) : null;
        var portSeparator = hostPort.LastIndexOf(':');
        var hasPort = portSeparator >= 0 && !hostPort.EndsWith(']');
        var host = hasPort ? hostPort[..portSeparator] : hostPort;
        if (host.Length == 0)
        {
            throw Invalid("no host");
        }

        int? port = null;
        if (hasPort)
        {
            port = int.TryParse(hostPort[(portSeparator + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
                ? number
                : throw Invalid($"'{hostPort[(portSeparator + 1)..]}' is not a port");
        }

        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2) is [var k, var v] ? (k, Uri.UnescapeDataString(v)) : (pair, ""))
            .ToList();
        return new DatabaseUrl(user, password, host.Trim('[', ']'), port, database, parameters);
    }
}
