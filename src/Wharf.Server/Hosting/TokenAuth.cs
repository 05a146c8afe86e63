using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Wharf.Server.Hosting;

/// <summary>
/// The bearer token check. With a token configured, state-changing requests always need it; off
/// loopback every request does, except <c>/health</c> and <c>/metrics</c> when left open. Pages
/// take it once as <c>?token=</c> and keep it in an HttpOnly, SameSite=Strict cookie, which is also
/// what keeps other sites from posting with it (CSRF).
/// </summary>
internal sealed class TokenAuth(ProjectState state, bool loopback)
{
    private const string Cookie = "wharf_token";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var token = state.Project.Server.Token;
        var path = context.Request.Path.Value ?? "";
        var changes = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
        var open = path is "/health" or "/ready" || (path == "/metrics" && state.Project.Server.OpenMetrics);
        if (token is null || open || (loopback && !changes))
        {
            if (token is null && changes && !loopback)
            {
                await Deny(context, "this server has no token configured");
                return;
            }

            await next(context);
            return;
        }

        var given = Given(context);
        if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token)))
        {
            await Deny(context, given is null ? "this request needs the server token (Authorization: Bearer TOKEN)" : "the token is wrong");
            return;
        }

        if (context.Request.Query.ContainsKey("token"))
        {
            context.Response.Cookies.Append(Cookie, given, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true });
        }

        await next(context);
    }

    private static string? Given(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        // Cookies and ?token= are for pages (GET) only: a form post from elsewhere would carry the cookie.
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return null;
        }

        return context.Request.Query["token"].FirstOrDefault() ?? context.Request.Cookies[Cookie];
    }

    private static Task Deny(HttpContext context, string why)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return context.Response.WriteAsJsonAsync(new { error = $"unauthorized: {why}" });
    }
}
