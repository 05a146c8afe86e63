using System.Globalization;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// <c>page_number</c>: <c>?page=1&amp;per_page=100</c>, then 2, 3… Stops on an empty page, the total
/// number of pages (<c>total_path</c>/<c>total_header</c>), or without a total a page shorter than
/// the <c>size</c> sent as <c>size_param</c>.
/// </summary>
internal sealed class PageNumberPaginator(PaginationSettings settings) : Paginator(settings)
{
    private int page = settings.FirstPage;

    /// <summary>The envelope with the page marker, when the page number goes into the body (SOAP).</summary>
    private string? template;

    public override HttpRequestSpec First(HttpRequestSpec request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Settings.InBody)
        {
            template = request.Body;
            return request with { Body = InBody(page) };
        }

        var url = UrlQuery.With(request.Url, Settings.PageParam, page.ToString(CultureInfo.InvariantCulture));
        if (Settings is { SizeParam: { } sizeParam, Size: { } size })
        {
            url = UrlQuery.With(url, sizeParam, size.ToString(CultureInfo.InvariantCulture));
        }

        return request with { Url = url };
    }

    public override HttpRequestSpec? Next(FetchedPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        // A short page ends the read only when the size was asked for (a server sends its own
        // page size otherwise) and no total says how many pages there are.
        var total = Total(page);
        var sizeAsked = Settings.SizeParam is not null || template is not null;
        if (page.Records == 0 || (total is { } known ? page.Number >= known : sizeAsked && page.Records < Settings.Size))
        {
            return null;
        }

        this.page++;
        if (template is not null)
        {
            return page.Request with { Body = InBody(this.page) };
        }

        return page.Request with { Url = UrlQuery.With(page.Request.Url, Settings.PageParam, this.page.ToString(CultureInfo.InvariantCulture)) };
    }

    private string? InBody(int number) => template?.Replace(SoapRequest.PageMarker, number.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
