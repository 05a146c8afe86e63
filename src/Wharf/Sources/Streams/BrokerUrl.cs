using System.Globalization;
using Wharf.Projects;

namespace Wharf.Sources.Streams;

/// <summary>
/// A broker's URL taken apart as database URLs are (<see cref="DatabaseUrl"/>: a password from
/// <c>${VAR}</c> may hold '@', ':' or '/' without percent-encoding): where it is, for messages
/// without the password, and the user and password, which the connection's own <c>user:</c> and
/// <c>password:</c> override. For AMQP the path is the vhost (<c>%2F</c> or nothing: <c>/</c>).
/// </summary>
internal sealed record BrokerUrl(string Scheme, string Host, int Port, string? User, string? Password, string Vhost)
{
    public static BrokerUrl Parse(ConnectionSettings connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var text = connection.Url ?? throw new SourceException(connection.Name, "", $"Connection '{connection.Name}' has no url.");
        var scheme = text[..Math.Max(0, text.IndexOf("://", StringComparison.Ordinal))].ToLowerInvariant();
        var url = DatabaseUrl.Parse(text, connection, scheme);
        var port = url.Port ?? scheme switch
        {
            "amqp" => 5672,
            "amqps" => 5671,
            _ => 4222,
        };
        return new BrokerUrl(scheme, url.Host, port, connection.User ?? url.User, connection.Password ?? url.Password, string.IsNullOrEmpty(url.Database) ? "/" : url.Database);
    }

    /// <summary>The URL without user or password: <c>amqp://host:5672/vhost</c>, <c>nats://host:4222</c>.</summary>
    public string Display => Scheme is "amqp" or "amqps"
        ? $"{Scheme}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{(Vhost == "/" ? "" : Uri.EscapeDataString(Vhost))}"
        : $"{Scheme}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A broker's message with the password taken out, in case a client library quotes what it was given.</summary>
    public string Mask(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.IsNullOrEmpty(Password) ? message : message.Replace(Password, "***", StringComparison.Ordinal);
    }
}
