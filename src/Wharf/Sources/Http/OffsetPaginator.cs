using System.Globalization;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// <c>offset</c>: <c>?offset=0&amp;limit=100</c>, then 100, 200… Stops on an empty page, a page
/// shorter than <c>limit</c>, or the total number of records (<c>total_path</c>/<c>total_header</c>).
/// </summary>
internal sealed class OffsetPaginator(PaginationSettings settings) : Paginator(settings)
{
    private long offset;

    public override HttpRequestSpec First(HttpRequestSpec request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = UrlQuery.With(request.Url, Settings.OffsetParam, "0");
        return request with { Url = UrlQuery.With(url, Settings.LimitParam, Settings.Limit!.Value.ToString(CultureInfo.InvariantCulture)) };
    }

    public override HttpRequestSpec? Next(FetchedPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var limit = Settings.Limit!.Value;
        if (page.Records == 0 || page.Records < limit || offset + limit >= Total(page))
        {
            return null;
        }

        offset += limit;
        return page.Request with { Url = UrlQuery.With(page.Request.Url, Settings.OffsetParam, offset.ToString(CultureInfo.InvariantCulture)) };
    }
}
