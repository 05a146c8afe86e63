namespace Wharf.Sources.Streams;

/// <summary>
/// A broker's URL taken apart: where it is (for messages: never the password), and the user and
/// password it carries (escaped in the URL, as <c>amqp://etl:p%40ss@host/vhost</c>), which the
/// connection's own <c>user:</c> and <c>password:</c> override.
/// </summary>
internal sealed record BrokerUrl(Uri Uri, string? User, string? Password)
{
    public static BrokerUrl Parse(Projects.ConnectionSettings connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var uri = new Uri(connection.Url ?? throw new SourceException(connection.Name, "", $"Connection '{connection.Name}' has no url."));
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }

        var bare = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        return new BrokerUrl(bare, connection.User ?? user, connection.Password ?? password);
    }

    /// <summary>The URL without user or password: <c>amqp://host:5672/vhost</c>.</summary>
    public string Display => Uri.GetLeftPart(UriPartial.Path);

    /// <summary>A broker's message with the password taken out, in case a client library quotes what it was given.</summary>
    public string Mask(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.IsNullOrEmpty(Password) ? message : message.Replace(Password, "***", StringComparison.Ordinal);
    }
}
