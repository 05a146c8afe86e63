using System.Net.Http.Headers;
using System.Text.Json;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// OAuth 2 client credentials (RFC 6749 §4.4): a token is asked for once, reused until shortly
/// before it expires, and asked for again then, or once when the API answers 401 (a token revoked
/// early). The client id and secret go in the form body (<c>client_secret_post</c>).
/// </summary>
internal sealed class OAuth2ClientCredentials(HttpAuthSettings settings, OAuth2ClientCredentials.TokenRequester requestToken, SecretMask secrets, TimeProvider time) : IHttpAuth, IDisposable
{
    /// <summary>Posts the form to the token URL (retried like any request) and returns the status and body.</summary>
    public delegate Task<(int Status, string Body)> TokenRequester(Uri tokenUrl, IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken cancellationToken);

    /// <summary>A token is replaced this long before it expires (or at 90% of a shorter life), so no request carries one that expires in flight.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim gate = new(1, 1);
    private (string Token, DateTimeOffset RenewAt)? current;

    public bool CanRefresh => true;

    public void Dispose() => gate.Dispose();

    public async ValueTask<string?> ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await TokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return token;
    }

    public async ValueTask RefreshAsync(string? used, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (current?.Token == used)
            {
                current = null;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (current is { } held && time.GetUtcNow() < held.RenewAt)
            {
                return held.Token;
            }

            var asked = time.GetUtcNow();
            List<KeyValuePair<string, string>> form =
            [
                new("grant_type", "client_credentials"),
                new("client_id", settings.ClientId!),
                new("client_secret", settings.ClientSecret!),
            ];
            if (!settings.Scopes.IsEmpty)
            {
                form.Add(new("scope", string.Join(' ', settings.Scopes)));
            }

            var (status, body) = await requestToken(settings.TokenUrl!, form, cancellationToken);
            var (token, lifetime) = Parse(status, body);
            secrets.Add(token);
            var renewIn = lifetime is { } life ? (life > Margin * 10 ? life - Margin : life * 0.9) : TimeSpan.FromMinutes(5);
            current = (token, asked + renewIn);
            return token;
        }
        finally
        {
            gate.Release();
        }
    }

    private (string Token, TimeSpan? Lifetime) Parse(int status, string body)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            root = default;
        }

        string? Field(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var url = secrets.Url(settings.TokenUrl!);
        if (status is < 200 or > 299)
        {
            var error = Field("error") is { } code ? $" ({code}{(Field("error_description") is { } why ? ": " + secrets.Mask(why) : "")})" : "";
            throw new TokenException(status, status is 400 or 401
                ? $"the token endpoint {url} refused the client credentials: {status}{error}. Check client_id, client_secret and scopes (from ${{VAR}} or .env)."
                : $"the token endpoint {url} answered {status}{error} instead of a token.");
        }

        var token = Field("access_token") ?? throw new TokenException(status, $"the token endpoint {url} answered {status} without an access_token (expected JSON such as {{\"access_token\": \"…\", \"expires_in\": 3600}}).");
        TimeSpan? lifetime = root.TryGetProperty("expires_in", out var expires) && expires.TryGetDouble(out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
        return (token, lifetime);
    }

    /// <summary>The token endpoint refused or answered something else than a token; the message says which.</summary>
    internal sealed class TokenException(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }
}
