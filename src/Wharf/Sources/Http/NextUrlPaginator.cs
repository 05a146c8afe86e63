using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary><c>next_url</c>: the next page's URL (absolute, or relative to this page's) is at <c>next_path</c> in the body; none ends the paging.</summary>
internal sealed class NextUrlPaginator(PaginationSettings settings) : Paginator(settings)
{
    public override HttpRequestSpec? Next(FetchedPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var next = JsonPath.Text(page.Body, Settings.NextPath);
        return string.IsNullOrEmpty(next) ? null : page.Request with { Url = Resolve(page.Request.Url, next) };
    }

    /// <summary>A link as the server gave it, resolved against the page that gave it.</summary>
    internal static Uri Resolve(Uri page, string link) =>
        Uri.TryCreate(page, link, out var url) && url.Scheme is "http" or "https" ? url
        : throw new PagingException($"its next page '{link}' is not an http(s) URL");
}
