namespace Wharf.Projects;

/// <summary>Connection URLs as they may be shown: with every password replaced by <c>***</c>.</summary>
internal static class ConnectionUrl
{
    private const string Hidden = "***";

    /// <summary>
    /// <paramref name="url"/> without secrets: the password of <c>scheme://user:password@host</c>
    /// and the value of a <c>password=</c> parameter become <c>***</c>. Text that is no URL comes back as is.
    /// </summary>
    public static string Redact(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return RedactQuery(url, url.IndexOf('?', StringComparison.Ordinal));
        }

        // As PostgresConnectionString reads it: the user information ends at the last '@', so a password
        // may hold '@', ':' or '/'; the query starts at the first '?' after it.
        var start = schemeEnd + 3;
        var at = url.LastIndexOf('@');
        at = at >= start ? at : -1;
        var query = url.IndexOf('?', at >= 0 ? at + 1 : start);
        var colon = at >= 0 ? url.IndexOf(':', start, at - start) : -1;
        return colon >= 0
            ? url[..(colon + 1)] + Hidden + RedactQuery(url[at..], query < 0 ? -1 : query - at)
            : RedactQuery(url, query);
    }

    private static string RedactQuery(string url, int query)
    {
        if (query < 0)
        {
            return url;
        }

        var pairs = url[(query + 1)..].Split('&').Select(pair =>
            pair.StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? pair[..("password=".Length)] + Hidden : pair);
        return url[..(query + 1)] + string.Join('&', pairs);
    }
}
