using System.Globalization;
using System.Text.Json;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>A page as the paginator sees it: its request, what the server answered, and how many records it held.</summary>
internal sealed record FetchedPage(int Number, HttpRequestSpec Request, int Status, JsonElement Body, int Records, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// Asks for the pages of one stream (or partition) in turn (<c>paginate:</c>). One instance per
/// partition: page-number and offset paginators count. Loops are caught by the caller, which
/// refuses a request it has already sent.
/// </summary>
internal abstract class Paginator(PaginationSettings settings)
{
    protected PaginationSettings Settings { get; } = settings;

    public static Paginator Create(PaginationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Kind switch
        {
            PaginationKind.PageNumber => new PageNumberPaginator(settings),
            PaginationKind.Offset => new OffsetPaginator(settings),
            PaginationKind.Cursor => new CursorPaginator(settings),
            PaginationKind.NextUrl => new NextUrlPaginator(settings),
            PaginationKind.LinkHeader => new LinkHeaderPaginator(settings),
            _ => new SinglePage(settings),
        };
    }

    /// <summary>The first page's request.</summary>
    public virtual HttpRequestSpec First(HttpRequestSpec request) => request;

    /// <summary>The next page's request, or null when <paramref name="page"/> is the last.</summary>
    public abstract HttpRequestSpec? Next(FetchedPage page);

    /// <summary>The total the server announces (<c>total_path</c> or <c>total_header</c>), or null when none is configured.</summary>
    /// <exception cref="PagingException">A total is configured but the page does not carry it as a number.</exception>
    protected long? Total(FetchedPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        string? text;
        string where;
        if (Settings.TotalHeader is { } header)
        {
            text = page.Headers.GetValueOrDefault(header);
            where = $"the header {header}";
        }
        else if (Settings.TotalPath is { } path)
        {
            text = JsonPath.Text(page.Body, path);
            where = $"'{path}' (total_path)";
        }
        else
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total
            : throw new PagingException(text is null ? $"it has no {where}, which 'paginate' says holds the total" : $"{where} is '{text}', not a whole number");
    }

    private sealed class SinglePage(PaginationSettings settings) : Paginator(settings)
    {
        public override HttpRequestSpec? Next(FetchedPage page) => null;
    }
}

/// <summary>A page's answer does not say what the paginator needs; the message says what is missing.</summary>
internal sealed class PagingException(string message) : Exception(message);
