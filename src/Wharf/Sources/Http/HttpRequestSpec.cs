namespace Wharf.Sources.Http;

/// <summary>One request to send: method, absolute URL (without the credentials), headers and body.</summary>
internal sealed record HttpRequestSpec(HttpMethod Method, Uri Url)
{
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body, sent as <see cref="ContentType"/>; none when null.</summary>
    public string? Body { get; init; }

    public string ContentType { get; init; } = "application/json";

    /// <summary>Whether a 500 answer with an XML body is read rather than failed: a SOAP fault, which the reader explains and which is not retried.</summary>
    public bool ReadsFaults { get; init; }

    /// <summary>Whether the connection's credentials are added (not to the OAuth token request itself).</summary>
    public bool Authenticate { get; init; } = true;

    /// <summary>What identifies the request for loop detection: the method, the URL and the body.</summary>
    public string Identity => Body is null ? $"{Method} {Url.AbsoluteUri}" : $"{Method} {Url.AbsoluteUri} {Body}";

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Url);
        foreach (var (name, value) in Headers)
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (Body is not null)
        {
            message.Content = new StringContent(Body, System.Text.Encoding.UTF8);
            message.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(ContentType);
        }

        return message;
    }
}
