using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Wharf.Server.Hosting;

/// <summary>
/// Who may do what. With a token configured, state-changing requests always need it; off loopback
/// every request does, except <c>/health</c>, <c>/ready</c> and <c>/metrics</c> when left open.
/// The API takes it as <c>Authorization: Bearer</c>; a person logs in once on <c>/login</c> (or
/// opens a page with <c>?token=</c>) and gets an HttpOnly, SameSite=Strict session cookie, which
/// holds a value derived from the token, never the token itself. Pages without it redirect to
/// <c>/login</c>.
/// <para>
/// CSRF: a state-changing request that a browser marks as coming from another site (<c>Origin</c>
/// or <c>Sec-Fetch-Site</c>) is refused whatever it carries, token or not, on loopback too; and a
/// request that authenticates with the session cookie must also send the <c>X-Wharf-Csrf</c>
/// header, which only the dashboard's own script can read (from the <c>wharf_csrf</c> cookie).
/// </para>
/// </summary>
internal sealed class TokenAuth(ProjectState state, bool loopback)
{
    /// <summary>The session cookie: HttpOnly, SameSite=Strict.</summary>
    public const string SessionCookie = "wharf_session";

    /// <summary>The CSRF value the dashboard's script reads and sends back in <see cref="CsrfHeader"/>.</summary>
    public const string CsrfCookie = "wharf_csrf";

    public const string CsrfHeader = "X-Wharf-Csrf";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var changes = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
        if (changes && CrossSite(request) is { } origin)
        {
            await Refuse(context, StatusCodes.Status403Forbidden, $"a state-changing request from another site ({origin}) is refused (CSRF protection)");
            return;
        }

        var token = state.Project.Server.Token;
        var open = path is "/health" or "/ready" or "/login" or "/logout" || (path == "/metrics" && state.Project.Server.OpenMetrics);
        if (token is null || open || (loopback && !changes))
        {
            if (token is null && changes && !loopback)
            {
                await Refuse(context, StatusCodes.Status401Unauthorized, "this server has no token configured");
                return;
            }

            await next(context);
            return;
        }

        switch (Check(context, token, changes))
        {
            case Access.Allowed:
                await next(context);
                return;
            case Access.NoCsrfHeader:
                await Refuse(context, StatusCodes.Status403Forbidden, $"a request made with the session cookie needs the {CsrfHeader} header the dashboard sends (CSRF protection)");
                return;
            case Access.Missing when !changes && IsPage(path):
                context.Response.Redirect($"/login?next={Uri.EscapeDataString(path + request.QueryString)}");
                return;
            case Access.Missing:
                await Refuse(context, StatusCodes.Status401Unauthorized, "this request needs the server token (Authorization: Bearer TOKEN, or log in on /login)");
                return;
            default:
                await Refuse(context, StatusCodes.Status401Unauthorized, "the token is wrong");
                return;
        }
    }

    /// <summary>Whether <paramref name="given"/> is the token, compared in constant time.</summary>
    public static bool IsToken(string? given, string token) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));

    /// <summary>Sets the session and CSRF cookies after the token was given (login form or <c>?token=</c>).</summary>
    public static void SignIn(HttpContext context, string token)
    {
        var secure = context.Request.IsHttps;
        context.Response.Cookies.Append(SessionCookie, Derived(token, "session"),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = secure, IsEssential = true, Path = "/" });
        context.Response.Cookies.Append(CsrfCookie, Derived(token, "csrf"),
            new CookieOptions { HttpOnly = false, SameSite = SameSiteMode.Strict, Secure = secure, IsEssential = true, Path = "/" });
    }

    public static void SignOut(HttpContext context)
    {
        context.Response.Cookies.Delete(SessionCookie, new CookieOptions { Path = "/" });
        context.Response.Cookies.Delete(CsrfCookie, new CookieOptions { Path = "/" });
    }

    /// <summary>
    /// The site a browser says the request comes from, when that is not this server; null for
    /// same-origin requests and for clients that send neither header (curl, scripts, the API).
    /// </summary>
    private static string? CrossSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite is "cross-site" or "same-site")
        {
            return request.Headers.Origin.ToString() is { Length: > 0 } o ? o : fetchSite;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            ? null
            : origin;
    }

    private static Access Check(HttpContext context, string token, bool changes)
    {
        var request = context.Request;
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return IsToken(header["Bearer ".Length..].Trim(), token) ? Access.Allowed : Access.Wrong;
        }

        // ?token= is for opening a page (GET) from a link; it signs the browser in.
        if (!changes && request.Query["token"].FirstOrDefault() is { } query)
        {
            if (!IsToken(query, token))
            {
                return Access.Wrong;
            }

            SignIn(context, token);
            return Access.Allowed;
        }

        if (request.Cookies[SessionCookie] is not { } session)
        {
            return Access.Missing;
        }

        if (!IsToken(session, Derived(token, "session")))
        {
            return Access.Wrong;
        }

        // The cookie rides along with any request to this server; the header proves the dashboard's own page sent it.
        return !changes || IsToken(request.Headers[CsrfHeader].ToString(), Derived(token, "csrf")) ? Access.Allowed : Access.NoCsrfHeader;
    }

    /// <summary>A value derived from the token for one purpose (HMAC-SHA256): a cookie never holds the token itself.</summary>
    private static string Derived(string token, string purpose) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes($"wharf {purpose} v1")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A dashboard page, which sends a person to the login form rather than answering 401.</summary>
    private static bool IsPage(string path) => !path.StartsWith("/api/", StringComparison.Ordinal) && path != "/metrics";

    private static Task Refuse(HttpContext context, int status, string why)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return context.Response.WriteAsJsonAsync(new { error = $"{(status == StatusCodes.Status403Forbidden ? "forbidden" : "unauthorized")}: {why}" });
    }

    private enum Access
    {
        Allowed,
        Missing,
        Wrong,
        NoCsrfHeader,
    }
}
