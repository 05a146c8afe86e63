using System.Globalization;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// <c>page_number</c>: <c>?page=1&amp;per_page=100</c>, then 2, 3… Stops on an empty page, a page
/// shorter than <c>size</c>, or the total number of pages (<c>total_path</c>/<c>total_header</c>).
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
        if (page.Records == 0 || page.Records < Settings.Size || page.Number >= Total(page))
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
