namespace Wharf.Sources.Http;

/// <summary>Sets query parameters of a URL, keeping the others in place.</summary>
internal static class UrlQuery
{
    /// <summary>The URL with <paramref name="name"/> set to <paramref name="value"/> (replacing it when present, else added at the end).</summary>
    public static Uri With(Uri url, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(url);
        var pair = $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}";
        var query = url.Query.TrimStart('?');
        var pairs = query.Length == 0 ? [] : query.Split('&').ToList();
        var index = pairs.FindIndex(p => Uri.UnescapeDataString(p.Split('=', 2)[0]) == name);
        if (index >= 0)
        {
            pairs[index] = pair;
        }
        else
        {
            pairs.Add(pair);
        }

        return new UriBuilder(url) { Query = string.Join('&', pairs) }.Uri;
    }

    /// <summary>The URL with every pair of <paramref name="parameters"/> set in order.</summary>
    public static Uri With(Uri url, IEnumerable<KeyValuePair<string, string>> parameters) =>
        parameters.Aggregate(url, (current, p) => With(current, p.Key, p.Value));
}
