using System.Net;
using System.Net.Sockets;
using Polly.Timeout;

namespace Wharf.Sources.Http;

/// <summary>
/// Says in one plain sentence why a request failed: DNS, refused, TLS, a timeout, a dropped
/// connection, or the status the server answered (401/403: credentials, 404: the path) and what to check.
/// </summary>
internal static class HttpFailure
{
    public static string Explain(Exception ex, TimeSpan timeout, SecretMask secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        return secrets.Mask(ex switch
        {
            HttpStatusFailure status => Status(status, secrets),
            OAuth2ClientCredentials.TokenException token => token.Message,
            TimeoutRejectedException => $"no complete answer within {Seconds(timeout)} (the connection's 'timeout'). The server is slow or the page is large: raise 'timeout', or ask for smaller pages.",
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } =>
                "the host name could not be resolved (DNS). Check the host in base_url.",
            HttpRequestException request when Socket(request) is SocketError.ConnectionRefused =>
                "the connection was refused: nothing listens on that host and port. Check base_url's host and port, and that the server runs.",
            HttpRequestException request when Socket(request) is SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable =>
                $"the host cannot be reached ({Socket(request)}). Check base_url and any firewall or proxy.",
            HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } request =>
                $"TLS failed ({Innermost(request).Message}). If the server's certificate is signed by your own authority, set tls: {{ ca_file: … }}; check that base_url's host matches the certificate.",
            HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } or HttpIOException or IOException =>
                "the connection was dropped before the whole answer arrived.",
            HttpRequestException { InnerException: OperationCanceledException } request =>
                $"{request.Message}. The server is overloaded or unreachable: check base_url and any firewall, or raise 'timeout'.",
            HttpRequestException request => $"the request failed: {Innermost(request).Message}",
            _ => ex.Message,
        });
    }

    /// <summary>Whether trying again later may help.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        HttpStatusFailure status => status.IsTransient,
        OAuth2ClientCredentials.TokenException token => token.Status is 408 or 429 or >= 500,
        TimeoutRejectedException or IOException => true,
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => false,
        HttpRequestException => true,
        _ => false,
    };

    /// <summary>The answer's status, if the server gave one.</summary>
    public static int? StatusOf(Exception ex) => ex switch
    {
        HttpStatusFailure status => (int)status.Status,
        OAuth2ClientCredentials.TokenException token => token.Status,
        _ => null,
    };

    private static string Status(HttpStatusFailure failure, SecretMask secrets)
    {
        var code = $"{(int)failure.Status} {failure.Reason}".TrimEnd();
        var body = string.IsNullOrWhiteSpace(failure.Body) ? "" : $" The server said: {Snippet(secrets.Mask(failure.Body))}";
        return failure.Status switch
        {
            HttpStatusCode.Unauthorized => $"{code}: the credentials were refused (missing, wrong or expired). Check 'auth' (its token, user, password or key, from ${{VAR}} or .env).{body}",
            HttpStatusCode.Forbidden => $"{code}: the credentials are valid but not allowed to read this. Check the account's permissions or the token's scopes.{body}",
            HttpStatusCode.NotFound => $"{code}: there is nothing at this URL. Check base_url and the endpoint's path.{body}",
            HttpStatusCode.TooManyRequests => $"{code}: the server is rate limiting. Set or lower the connection's rate_limit (requests per second).{body}",
            >= HttpStatusCode.InternalServerError => $"{code}: the server failed.{body}",
            _ => $"{code}: the server refused the request.{body}",
        };
    }

    /// <summary>The first line or so of a body, on one line.</summary>
    public static string Snippet(string text)
    {
        var flat = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return flat.Length <= 200 ? flat : flat[..200] + "…";
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMilliseconds:0} ms";

    private static SocketError? Socket(Exception ex) => ex switch
    {
        SocketException socket => socket.SocketErrorCode,
        { InnerException: { } inner } => Socket(inner),
        _ => null,
    };

    private static Exception Innermost(Exception ex) => ex.InnerException is { } inner ? Innermost(inner) : ex;
}
