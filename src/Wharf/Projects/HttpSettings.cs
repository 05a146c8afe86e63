using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>An <c>http</c> connection of wharf.yml: where the API is and how every request to it is made.</summary>
internal sealed record HttpConnectionSettings
{
    /// <summary>The API's root; relative endpoints are resolved against it (<c>base_url:</c>).</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Headers sent with every request (<c>headers:</c>). Values may be secrets: never printed.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>How long one attempt (connect, send, read the whole body) may take (<c>timeout:</c>).</summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A PEM file of certificate authorities trusted for this connection, besides the system's (<c>tls: { ca_file: }</c>).</summary>
    public string? CaFile { get; init; }

    /// <summary>Accept any server certificate (<c>tls: { insecure_skip_verify: true }</c>); a warning is logged on every run.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool SkipTlsVerify { get; init; }

    /// <summary>How requests authenticate (<c>auth:</c>); none when null.</summary>
    public HttpAuthSettings? Auth { get; init; }

    /// <summary>Requests per second, shared by every request of the connection (<c>rate_limit:</c>); unlimited when null.</summary>
    public double? RateLimit { get; init; }

    /// <summary>Requests in flight at once, and partitions fetched in parallel (<c>max_concurrency:</c>).</summary>
    /// <value>Defaults to 4.</value>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>When and how often a failed request is tried again (<c>retry:</c>).</summary>
    public HttpRetrySettings Retry { get; init; } = new();

    /// <summary>The path <c>wharf test-connection</c> requests (<c>check:</c>); the base URL when null.</summary>
    public string? Check { get; init; }

    /// <summary>The SOAP side of a <c>soap</c> connection (its <c>endpoint</c> is <see cref="BaseUrl"/>); null for <c>http</c>.</summary>
    public SoapConnectionSettings? Soap { get; init; }

    /// <summary>Every secret of the connection (tokens, passwords, keys, secret headers), to be masked wherever text is shown.</summary>
    public IEnumerable<string> Secrets =>
        (Auth?.Secrets ?? []).Concat(Headers.Where(h => HttpSecretNames.IsSecretHeader(h.Key)).Select(h => h.Value));
}

/// <summary>Retries of transient failures: network errors, 408, 429 and 5xx (<c>retry:</c>).</summary>
internal sealed record HttpRetrySettings
{
    /// <summary>Attempts in all, the first included (<c>attempts:</c>).</summary>
    /// <value>Defaults to 5.</value>
    public int Attempts { get; init; } = 5;

    /// <summary>The first backoff; each next one doubles, with jitter (<c>delay:</c>). A <c>Retry-After</c> header wins.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The most time one request may take, retries and waits included (<c>max_time:</c>).</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromMinutes(5);
}

internal enum HttpAuthKind
{
    Bearer,
    Basic,
    ApiKey,
    OAuth2ClientCredentials,
}

/// <summary>How an <c>http</c> connection authenticates. Every value here but the names is a secret.</summary>
internal sealed record HttpAuthSettings(HttpAuthKind Kind)
{
    /// <summary>For <c>bearer</c>: the token.</summary>
    public string? Token { get; init; }

    /// <summary>For <c>basic</c>.</summary>
    public string? User { get; init; }

    /// <summary>For <c>basic</c>: a secret.</summary>
    public string? Password { get; init; }

    /// <summary>For <c>api_key</c>: the header or query parameter's name (<c>name:</c>).</summary>
    /// <value>Defaults to <c>X-API-Key</c> in a header, <c>api_key</c> in the query.</value>
    public string Name { get; init; } = "X-API-Key";

    /// <summary>For <c>api_key</c>: whether the key goes in the query string (<c>in: query</c>) instead of a header.</summary>
    public bool InQuery { get; init; }

    /// <summary>For <c>api_key</c>: the key.</summary>
    public string? Key { get; init; }

    /// <summary>For <c>oauth2_client_credentials</c>: where tokens are asked for.</summary>
    public Uri? TokenUrl { get; init; }

    public string? ClientId { get; init; }

    /// <summary>For <c>oauth2_client_credentials</c>: a secret.</summary>
    public string? ClientSecret { get; init; }

    public ImmutableArray<string> Scopes { get; init; } = [];

    /// <summary>The values to mask, with basic auth's header value: a server that echoes the header must not reveal the password in its base64.</summary>
    public IEnumerable<string> Secrets => new[] { Token, Password, Key, ClientSecret, Kind == HttpAuthKind.Basic ? BasicCredentials(User, Password) : null }.OfType<string>();

    /// <summary>The value of an <c>Authorization: Basic</c> header (RFC 7617: user and password as UTF-8, base64).</summary>
    public static string BasicCredentials(string? user, string? password) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"));

    /// <summary>Hides secrets from <see cref="object.ToString"/>, which records would otherwise print in full.</summary>
    public override string ToString() => $"auth {Kind}";
}

/// <summary>What one pipeline asks of an <c>http</c> connection: the request, where the records are, how to page.</summary>
internal sealed record HttpRequestSettings
{
    /// <summary>A path relative to the connection's base URL, or an absolute URL; may hold <c>{{ var }}</c>.</summary>
    public required string Endpoint { get; init; }

    /// <value>Defaults to <c>GET</c>.</value>
    public string Method { get; init; } = "GET";

    /// <summary>Query parameters, in order; values may hold <c>{{ var }}</c>.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Params { get; init; } = [];

    /// <summary>Extra headers of this pipeline's requests.</summary>
    public ImmutableArray<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>A JSON body (<c>body:</c>), sent with <c>POST</c>; string values may hold <c>{{ var }}</c>.</summary>
    public string? Body { get; init; }

    /// <summary>A dotted path to the array of records (<c>records:</c>); when null, the body if it is an array, else its only array property.</summary>
    public string? Records { get; init; }

    public PaginationSettings Paginate { get; init; } = new(PaginationKind.None);

    /// <summary>Incremental by a request parameter (<c>incremental:</c>); the cursor itself is in <see cref="IncrementalSettings"/>.</summary>
    public HttpIncrementalSettings? Incremental { get; init; }

    /// <summary>Run the request once per value (<c>for_each:</c>).</summary>
    public ForEachSettings? ForEach { get; init; }

    /// <summary>The envelope and how records are found in the answer, for a pipeline of a <c>soap</c> connection.</summary>
    public SoapRequestSettings? Soap { get; init; }
}

internal enum PaginationKind
{
    None,
    PageNumber,
    Offset,
    Cursor,
    NextUrl,
    LinkHeader,
}

/// <summary>How the next page is asked for, and when paging stops (<c>paginate:</c>).</summary>
internal sealed record PaginationSettings(PaginationKind Kind)
{
    /// <summary>page_number: the page's parameter.</summary>
    public string PageParam { get; init; } = "page";

    /// <summary>page_number: the page size's parameter, when the size is sent.</summary>
    public string? SizeParam { get; init; }

    /// <summary>page_number: records per page (sent as <see cref="SizeParam"/>); a shorter page is the last.</summary>
    public int? Size { get; init; }

    public int FirstPage { get; init; } = 1;

    /// <summary>offset: the parameters, and records per page.</summary>
    public string OffsetParam { get; init; } = "offset";

    public string LimitParam { get; init; } = "limit";

    public int? Limit { get; init; }

    /// <summary>
    /// page_number: the total number of pages; offset: the total number of records. At a body path
    /// (<c>total_path:</c>) or in a header (<c>total_header:</c>).
    /// </summary>
    public string? TotalPath { get; init; }

    public string? TotalHeader { get; init; }

    /// <summary>Stop after this many pages, whatever the server says.</summary>
    public int? MaxPages { get; init; }

    /// <summary>cursor: where the next token is in the body, and the parameter it is sent back as.</summary>
    public string CursorPath { get; init; } = "next_cursor";

    public string CursorParam { get; init; } = "cursor";

    /// <summary>next_url: where the next page's URL is in the body.</summary>
    public string NextPath { get; init; } = "next";

    /// <summary>Whether the page number goes into the request body (a SOAP envelope's <c>{{ page }}</c>) rather than the query.</summary>
    public bool InBody { get; init; }
}

/// <summary>Incremental by parameter: the saved watermark is sent as <see cref="Param"/>.</summary>
/// <param name="Format">
/// How the watermark is written: <c>iso</c> (default: <c>2024-01-01T00:00:00Z</c>), <c>date</c>,
/// <c>unix</c>, <c>unix_ms</c>, or a .NET date format such as <c>yyyy-MM-dd HH:mm:ss</c>.
/// </param>
internal sealed record HttpIncrementalSettings(string Param, string Format = "iso");

internal enum ForEachKind
{
    Dates,
    Values,
    Query,
}

/// <summary>Partitions: the request runs once per date, value or warehouse row (<c>for_each:</c>).</summary>
internal sealed record ForEachSettings(ForEachKind Kind)
{
    /// <summary>dates: the first and last (inclusive) start, as written (a date, a time, <c>today</c> or <c>yesterday</c>).</summary>
    public string? From { get; init; }

    public string? To { get; init; }

    /// <summary>dates: the step between partitions.</summary>
    /// <value>Defaults to one day.</value>
    public TimeSpan Step { get; init; } = TimeSpan.FromDays(1);

    /// <summary>values: the list, each one <c>{{ value }}</c>.</summary>
    public ImmutableArray<string> Values { get; init; } = [];

    /// <summary>query: SQL run on the warehouse; each row's columns are variables.</summary>
    public string? Query { get; init; }

    /// <summary>
    /// Columns added to every record: column name → variable (<c>include:</c>). For a query, by
    /// default every column of the row as <c>parent_&lt;column&gt;</c>.
    /// </summary>
    public ImmutableArray<KeyValuePair<string, string>>? Include { get; init; }
}

/// <summary>Names whose values are secrets wherever they appear: headers and query parameters.</summary>
internal static class HttpSecretNames
{
    private static readonly string[] Parts = ["auth", "token", "secret", "password", "passwd", "key", "signature", "cookie", "session", "credential"];

    public static bool IsSecretHeader(string name) => Parts.Any(p => name.Contains(p, StringComparison.OrdinalIgnoreCase));

    public static bool IsSecretParameter(string name) => IsSecretHeader(name);
}
