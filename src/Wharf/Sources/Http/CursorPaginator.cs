using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary><c>cursor</c>: the next page's token is at <c>cursor_path</c> in the body and goes back as <c>cursor_param</c>; none ends the paging.</summary>
internal sealed class CursorPaginator(PaginationSettings settings) : Paginator(settings)
{
    public override HttpRequestSpec? Next(FetchedPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var token = JsonPath.Text(page.Body, Settings.CursorPath);
        return string.IsNullOrEmpty(token) ? null : page.Request with { Url = UrlQuery.With(page.Request.Url, Settings.CursorParam, token) };
    }
}
