using System.Net;
using System.Net.Http.Headers;

namespace Wharf.IntegrationTests.Server;

/// <summary>
/// The login page, the session cookie and CSRF protection of a real <c>wharf serve</c>, over raw
/// HTTP: without credentials, with wrong ones, with the cookie but not the CSRF header, and from
/// another origin.
/// </summary>
public sealed class ServeLoginTests
{
    private const string Token = "login-token-0123456789abcdef";

    [Fact]
    public async Task Pages_RedirectToLogin_AndTheLoginSetsAnHttpOnlySessionCookieWithoutTheToken()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = ServeProcess.Start(await ProjectAsync(withToken: true, ct), Environment(), "--host", "0.0.0.0");
        var origin = $"http://127.0.0.1:{(await serve.ListeningAsync(ct)).Port}";
        using var http = Client(origin);

        var page = await http.GetAsync("/runs?status=failed", ct);
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.OriginalString.ShouldBe("/login?next=%2Fruns%3Fstatus%3Dfailed");
        (await http.GetAsync("/api/runs", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the API answers 401, it does not redirect");
        var form = await http.GetStringAsync("/login?next=%2Fruns", ct);
        form.ShouldContain("<input type=password name=token");
        form.ShouldContain("value=\"/runs\"");

        var wrong = await PostFormAsync(http, "/login", origin, ("token", "not-the-token-not-the-token"), ("next", "/runs"), ct);
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrong.Headers.Contains("Set-Cookie").ShouldBeFalse();
        (await wrong.Content.ReadAsStringAsync(ct)).ShouldContain("The token is wrong.");

        var login = await PostFormAsync(http, "/login", origin, ("token", Token), ("next", "/runs"), ct);
        login.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        login.Headers.Location!.OriginalString.ShouldBe("/runs");
        var cookies = login.Headers.GetValues("Set-Cookie").ToList();
        var session = cookies.Single(c => c.StartsWith("wharf_session=", StringComparison.Ordinal));
        session.ShouldContain("httponly", Case.Insensitive);
        session.ShouldContain("samesite=strict", Case.Insensitive);
        cookies.Single(c => c.StartsWith("wharf_csrf=", StringComparison.Ordinal)).ShouldNotContain("httponly", Case.Insensitive);
        string.Join("\n", cookies).ShouldNotContain(Token);

        var sessionCookie = session.Split(';')[0];
        (await GetAsync(http, "/runs", sessionCookie, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync(http, "/api/runs", sessionCookie, ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetAsync(http, "/runs", "wharf_session=forged-forged-forged", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        // Only paths of this server are followed after the login: no open redirect.
        (await PostFormAsync(http, "/login", origin, ("token", Token), ("next", "//evil.example/x"), ct)).Headers.Location!.OriginalString.ShouldBe("/");
        (await PostFormAsync(http, "/login", origin, ("token", Token), ("next", "https://evil.example/"), ct)).Headers.Location!.OriginalString.ShouldBe("/");

        var logout = await PostFormAsync(http, "/logout", origin, ("x", "y"), ("z", "w"), ct);
        logout.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        logout.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("wharf_session=;", StringComparison.Ordinal) && c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase));
        serve.Log.ShouldNotContain(Token);
    }

    [Fact]
    public async Task StartingARun_WithTheSessionCookie_NeedsTheCsrfHeader_AndNoOtherSiteCanPost()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = ServeProcess.Start(await ProjectAsync(withToken: true, ct), Environment(), "--host", "0.0.0.0");
        var origin = $"http://127.0.0.1:{(await serve.ListeningAsync(ct)).Port}";
        using var http = Client(origin);
        var cookies = (await PostFormAsync(http, "/login", origin, ("token", Token), ("next", "/"), ct)).Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        var session = cookies.Single(c => c.StartsWith("wharf_session=", StringComparison.Ordinal));
        var csrf = cookies.Single(c => c.StartsWith("wharf_csrf=", StringComparison.Ordinal))["wharf_csrf=".Length..];

        (await PostAsync(http, origin, session, csrf: null, bearer: null, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "the cookie alone is not enough to change anything");
        (await PostAsync(http, origin, session, csrf: "wrong-wrong-wrong", bearer: null, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(http, null, null, csrf, bearer: null, ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the header alone is not enough either");
        var evil = await PostAsync(http, "http://evil.example", session, csrf, bearer: null, ct);
        evil.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await evil.Content.ReadAsStringAsync(ct)).ShouldContain("another site (http://evil.example)");
        (await PostAsync(http, "http://evil.example", null, null, Token, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a browser on another site is refused even with the token");
        (await PostAsync(http, origin, session, csrf, bearer: null, ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        // The API's bearer token keeps working for scripts, which send no Origin.
        (await PostAsync(http, null, null, null, "wrong-token-wrong-token", ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await PostAsync(http, null, null, null, null, ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await PostAsync(http, null, null, null, Token, ct)).StatusCode.ShouldBeOneOf(HttpStatusCode.Accepted, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task OnLoopbackWithoutToken_PostsFromOtherSitesAreRefused_AndLocalOnesWork()
    {
        var ct = TestContext.Current.CancellationToken;
        using var serve = ServeProcess.Start(await ProjectAsync(withToken: false, ct), null);
        var root = await serve.ListeningAsync(ct);
        var origin = $"http://127.0.0.1:{root.Port}";
        using var http = Client(origin);

        (await PostAsync(http, "http://evil.example", null, null, null, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(http, "null", null, null, null, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "a sandboxed or file: page sends Origin: null");
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/orders/runs"))
        {
            request.Headers.Add("Sec-Fetch-Site", "cross-site");
            (await http.SendAsync(request, ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        (await PostAsync(http, origin, null, null, null, ct)).StatusCode.ShouldBe(HttpStatusCode.Accepted, "the dashboard's own page");
        (await http.GetStringAsync("/login", ct)).ShouldContain("nothing to log in to");
    }

    private static HttpClient Client(string origin) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(origin) };

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string cookie, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await http.SendAsync(request, ct);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient http, string path, string origin, (string, string) first, (string, string) second, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent([new(first.Item1, first.Item2), new(second.Item1, second.Item2)]),
        };
        request.Headers.Add("Origin", origin);
        return await http.SendAsync(request, ct);
    }

    /// <summary>POST /api/pipelines/orders/runs as a browser (Origin, cookie, CSRF header) or a script (bearer) would.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string? origin, string? cookie, string? csrf, string? bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/orders/runs");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (csrf is not null)
        {
            request.Headers.Add("X-Wharf-Csrf", csrf);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await http.SendAsync(request, ct);
    }

    private static Dictionary<string, string> Environment() => new() { ["WHARF_TOKEN"] = Token };

    private static async Task<string> ProjectAsync(bool withToken, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("wharf-serve-login-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        await File.WriteAllTextAsync(Path.Combine(directory, "data", "orders.csv"), "order_id,amount\n1,10.5\n", ct);
        await File.WriteAllTextAsync(Path.Combine(directory, "wharf.yml"), $$"""
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders }
            {{(withToken ? "server: { auth: { token: \"${WHARF_TOKEN}\" } }" : "")}}
            """, ct);
        return directory;
    }
}
