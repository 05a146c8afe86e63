using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary><c>wharf test-connection</c> for an <c>http</c> connection: one cheap request, not retried.</summary>
internal static class HttpProbe
{
    /// <summary>A SOAP endpoint's WSDL, which SOAP stacks publish at <c>?wsdl</c>: a cheap GET that needs no envelope.</summary>
    private static Uri Wsdl(Uri endpoint) => new(endpoint.AbsoluteUri + (endpoint.Query.Length > 0 ? "&wsdl" : "?wsdl"));

    /// <summary>Requests the connection's <c>check:</c> path (else its base URL, or a SOAP service's WSDL) once; throws an <see cref="HttpSourceException"/> saying what failed.</summary>
    public static async Task<string> TestAsync(ConnectionSettings connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var once = connection with { Http = connection.Http! with { Retry = connection.Http.Retry with { Attempts = 1 } } };
        using var http = HttpConnection.Create(once, NullLogger.Instance, TimeProvider.System);
        var url = http.Settings.Check is { } check ? http.Resolve(check)
            : http.Settings.Soap is not null ? Wsdl(http.Settings.BaseUrl)
            : http.Settings.BaseUrl;
        var clock = Stopwatch.StartNew();
        try
        {
            var status = await http.SendAsync(new HttpRequestSpec(HttpMethod.Get, url), (response, _) => Task.FromResult($"{(int)response.StatusCode} {response.ReasonPhrase}"), cancellationToken);
            return $"GET {http.Secrets.Url(url)} answered {status} in {clock.ElapsedMilliseconds} ms.";
        }
        catch (HttpSourceException ex)
        {
            var advice = http.Settings.Soap is not null && http.Settings.Check is null && ex.StatusCode is 404 or 405
                ? " The service publishes no WSDL at ?wsdl: set 'check:' to a path that answers a GET."
                : "";
            throw new HttpSourceException(connection.Name, $"Cannot reach '{connection.Name}': {ex.Message}{advice}", ex.InnerException)
            {
                Url = ex.Url,
                StatusCode = ex.StatusCode,
                Transient = ex.Transient,
            };
        }
    }
}
