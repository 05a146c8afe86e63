using System.Text.RegularExpressions;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary><c>link_header</c>: the next page is the <c>Link</c> header's <c>rel="next"</c> target (RFC 8288), as GitHub sends it; none ends the paging.</summary>
internal sealed partial class LinkHeaderPaginator(PaginationSettings settings) : Paginator(settings)
{
    [GeneratedRegex("""<(?<url>[^>]*)>(?<params>[^,<]*)""")]
    private static partial Regex Link();

    [GeneratedRegex("""(?:^|;)\s*rel\s*=\s*(?:"(?<rel>[^"]*)"|(?<rel>[^\s;]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex Rel();

    public override HttpRequestSpec? Next(FetchedPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var next = page.Headers.TryGetValue("Link", out var header) ? NextOf(header) : null;
        return next is null ? null : page.Request with { Url = NextUrlPaginator.Resolve(page.Request.Url, next) };
    }

    /// <summary>The target of the link whose relation types include <c>next</c>, or null.</summary>
    internal static string? NextOf(string header) => Link().Matches(header)
        .Where(m => Rel().Match(m.Groups["params"].Value) is { Success: true } rel
            && rel.Groups["rel"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("next", StringComparer.OrdinalIgnoreCase))
        .Select(m => m.Groups["url"].Value.Trim())
        .FirstOrDefault();
}
