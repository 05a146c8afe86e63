using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Wharf.Server.Dashboard;

namespace Wharf.Server.Hosting;

/// <summary><c>/login</c> and <c>/logout</c>: a form that takes the server token once and keeps the browser signed in with a cookie.</summary>
internal static class LoginEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (ProjectState state, string? next) => Form(state, next, wrong: false));
        // The form is read by hand: a [FromForm] parameter would ask for ASP.NET's antiforgery
        // middleware, and TokenAuth already refuses posts from other sites.
        app.MapPost("/login", async (HttpContext context, ProjectState state) =>
        {
            if (!context.Request.HasFormContentType)
            {
                return Results.BadRequest(new { error = "post the login form (application/x-www-form-urlencoded with token and next)." });
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var next = form["next"].ToString();
            if (state.Project.Server.Token is not { } token)
            {
                return new SeeOther(LocalPath(next));
            }

            if (!TokenAuth.IsToken(form["token"].ToString(), token))
            {
                return Form(state, next, wrong: true);
            }

            TokenAuth.SignIn(context, token);
            // 303: the browser follows with a GET, and a reload does not post the token again.
            return new SeeOther(LocalPath(next));
        });
        app.MapPost("/logout", (HttpContext context) =>
        {
            TokenAuth.SignOut(context);
            return new SeeOther("/login");
        });
    }

    private static IResult Form(ProjectState state, string? next, bool wrong)
    {
        var body = state.Project.Server.Token is null
            ? "<p>This server has no token configured (<code>server: auth: token</code>), so there is nothing to log in to.</p><p><a href=\"/\">Go to the overview</a></p>"
            : (wrong ? "<p class=bad role=alert>The token is wrong.</p>" : "") +
              "<form method=post action=\"/login\" class=login>" +
              $"<input type=hidden name=next value=\"{Html.Encode(LocalPath(next))}\">" +
              "<p><label>Server token <input type=password name=token autocomplete=current-password required autofocus></label></p>" +
              "<p><button type=submit>Log in</button></p></form>" +
              "<p class=muted>The token is the one in <code>server: auth: token</code> of wharf.yml. The browser keeps a session cookie derived from it, never the token.</p>";
        return Results.Content(Html.Page("Log in", body, state.Problem), "text/html; charset=utf-8",
            statusCode: wrong ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK);
    }

    /// <summary>Only a path on this server: never an absolute or protocol-relative URL (an open redirect).</summary>
    private static string LocalPath(string? next) =>
        next is { Length: > 0 } n && n[0] == '/' && !n.StartsWith("//", StringComparison.Ordinal) && !n.StartsWith("/\\", StringComparison.Ordinal) ? n : "/";

    /// <summary>303 See Other to a path of this server.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
