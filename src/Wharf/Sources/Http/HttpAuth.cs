using System.Net.Http.Headers;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>Adds a connection's credentials to each request (<c>auth:</c>).</summary>
internal interface IHttpAuth
{
    /// <summary>Adds the credentials; returns what was used, for <see cref="RefreshAsync"/>.</summary>
    ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>Whether a 401 may be cured by new credentials (then the request is sent once more).</summary>
    bool CanRefresh => false;

    /// <summary>Drops the credentials <paramref name="used"/>, unless they were replaced already.</summary>
    ValueTask RefreshAsync(string? used, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>The simple kinds: a fixed header or query parameter.</summary>
internal static class HttpAuth
{
    public static IHttpAuth? Create(HttpAuthSettings? settings, OAuth2ClientCredentials.TokenRequester requestToken, SecretMask secrets, TimeProvider time) => settings?.Kind switch
    {
        null => null,
        HttpAuthKind.Bearer => new HeaderAuth(new AuthenticationHeaderValue("Bearer", settings.Token)),
        HttpAuthKind.Basic => new HeaderAuth(Basic(settings.User, settings.Password)),
        HttpAuthKind.ApiKey when settings.InQuery => new QueryKeyAuth(settings.Name, settings.Key!),
        HttpAuthKind.ApiKey => new NamedHeaderAuth(settings.Name, settings.Key!),
        _ => new OAuth2ClientCredentials(settings, requestToken, secrets, time),
    };

    /// <summary>An <c>Authorization: Basic</c> header (RFC 7617: user and password as UTF-8, base64).</summary>
    public static AuthenticationHeaderValue Basic(string? user, string? password) =>
        new("Basic", HttpAuthSettings.BasicCredentials(user, password));

    private sealed class HeaderAuth(AuthenticationHeaderValue value) : IHttpAuth
    {
        public ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = value;
            return ValueTask.FromResult<string?>(null);
        }
    }

    private sealed class NamedHeaderAuth(string name, string key) : IHttpAuth
    {
        public ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, key);
            return ValueTask.FromResult<string?>(null);
        }
    }

    private sealed class QueryKeyAuth(string name, string key) : IHttpAuth
    {
        public ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Set, not appended: a next-page URL the server built may carry the key already.
            request.RequestUri = UrlQuery.With(request.RequestUri!, name, key);
            return ValueTask.FromResult<string?>(null);
        }
    }
}
