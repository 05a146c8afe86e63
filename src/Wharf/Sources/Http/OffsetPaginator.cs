using System.Globalization;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// <c>offset</c>: <c>?offset=0&amp;limit=100</c>, then 100, 200… Stops on an empty page, the total
/// number of records (<c>total_path</c>/<c>total_header</c>), or without a total a page shorter than
/// <c>limit</c>.
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
        if (page.Records == 0)
        {
            return null;
        }

        // On by what arrived: a server may cap a page below the limit asked for, and a total it
        // announces then says there is more, where a short page alone would end the read.
        var total = Total(page);
        offset += page.Records;
        if (total is { } known ? offset >= known : page.Records < Settings.Limit!.Value)
        {
            return null;
        }

        return page.Request with { Url = UrlQuery.With(page.Request.Url, Settings.OffsetParam, offset.ToString(CultureInfo.InvariantCulture)) };
    }
}
