using System.Text;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// Hides a connection's secrets in any text Wharf shows: every occurrence of a secret value
/// (token, password, key, client secret, a token obtained at run time) becomes <c>***</c>, and in
/// URLs the values of secret-looking query parameters (<c>api_key</c>, <c>token</c>, …) too.
/// </summary>
internal sealed class SecretMask
{
    private const string Hidden = "***";

    /// <summary>Secrets shorter than this are not searched for in free text: masking every "a" would garble messages.</summary>
    private const int ShortestMasked = 4;

    private readonly Lock gate = new();
    private string[] secrets;

    public SecretMask(IEnumerable<string> secrets)
    {
        this.secrets = [.. secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    /// <summary>Adds a secret learnt at run time (an OAuth access token).</summary>
    public void Add(string secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        lock (gate)
        {
            secrets = [.. secrets.Append(secret).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
        }
    }

    /// <summary>The text with every secret value replaced by <c>***</c>.</summary>
    public string Mask(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        var builder = new StringBuilder(text);
        foreach (var secret in secrets)
        {
            if (secret.Length >= ShortestMasked || text == secret)
            {
                builder.Replace(secret, Hidden);
                builder.Replace(Uri.EscapeDataString(secret), Hidden);
            }
        }

        return builder.ToString();
    }

    /// <summary>A URL as it may be shown: secret parameters' values and any secret value hidden.</summary>
    public string Url(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.UserInfo, UriFormat.UriEscaped);
        var query = text.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            var pairs = text[(query + 1)..].Split('&').Select(pair =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                return equals > 0 && HttpSecretNames.IsSecretParameter(Uri.UnescapeDataString(pair[..equals])) ? pair[..(equals + 1)] + Hidden : pair;
            });
            text = text[..(query + 1)] + string.Join('&', pairs);
        }

        return Mask(text);
    }
}
