using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wharf.IntegrationTests.Server;

namespace Wharf.BrowserTests;

/// <summary>
/// The login page of a <c>wharf serve</c> that other machines can reach, in Chromium: redirected
/// to it, a wrong token, the right one, a run started with the cookie, a post from another site
/// refused, and logging out.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LoginBrowserTests(Chromium chromium)
{
    private const string Token = "browser-token-0123456789abcdef";

    [Fact]
    public async Task Login_ThenRunNow_Works_WhileAnotherSitesPostIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var watched = await chromium.NewPageAsync();
        using var serve = ServeProcess.Start(await ProjectAsync(ct), new Dictionary<string, string> { ["WHARF_TOKEN"] = Token }, "--host", "0.0.0.0");
        var root = new Uri($"http://127.0.0.1:{(await serve.ListeningAsync(ct)).Port}/");
        var page = watched.Page;

        await page.GotoAsync(new Uri(root, "/runs").AbsoluteUri);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login\\?next=%2Fruns$"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Log in");
        await watched.ScreenshotAsync("dashboard-login");

        await page.Locator("input[name=token]").FillAsync("not-the-token-not-the-token");
        await page.Locator("form.login button").ClickAsync();
        await Assertions.Expect(page.Locator("[role=alert]")).ToHaveTextAsync("The token is wrong.");
        watched.Problems.ShouldContain(p => p.StartsWith("HTTP 401 for POST", StringComparison.Ordinal));
        watched.Problems.ShouldAllBe(p => p.Contains("401"));
        watched.ClearProblems();

        await page.Locator("input[name=token]").FillAsync(Token);
        await page.Locator("form.login button").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(root, "/runs").AbsoluteUri);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Runs");
        var cookies = await watched.Context.CookiesAsync();
        var session = cookies.Single(c => c.Name == "wharf_session");
        session.HttpOnly.ShouldBe(true);
        session.SameSite.ShouldBe(SameSiteAttribute.Strict);
        session.Value.ShouldNotContain(Token);
        (await page.EvaluateAsync<string>("() => document.cookie")).ShouldNotContain("wharf_session", customMessage: "page scripts cannot read the session");

        // The overview's button posts with the cookie and the CSRF header.
        await page.Locator("header a", new() { HasText = "Overview" }).ClickAsync();
        var button = page.Locator("button[data-run='orders']");
        await button.ClickAsync();
        await Assertions.Expect(button).ToHaveTextAsync("started");
        using var http = new HttpClient { BaseAddress = root };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var runs = await RunCountAsync(http, 1, ct);
        watched.ShouldHaveNoProblems();

        // Another site's page cannot start a run: its form post is refused. (localhost is another
        // site than 127.0.0.1, and a loopback one, so Chromium's own local-network blocking stays out of it.)
        var attacker = $"http://localhost:{root.Port}/attack";
        await watched.Context.RouteAsync(attacker, route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<!doctype html><title>prize</title><form method=post action=\"{root}api/pipelines/orders/runs\"><button>win a prize</button></form>",
        }));
        await page.GotoAsync(attacker);
        var refused = await page.RunAndWaitForResponseAsync(() => page.Locator("button").ClickAsync(), r => r.Url.Contains("/api/pipelines/orders/runs", StringComparison.Ordinal));
        refused.Status.ShouldBe(403);
        (await refused.TextAsync()).ShouldContain("another site");
        await Task.Delay(500, ct);
        (await RunCountAsync(http, runs, ct)).ShouldBe(runs, "no run was started from the other site");
        watched.ClearProblems();

        await page.GotoAsync(root.AbsoluteUri);
        await page.Locator("#logout button").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Log in");
        await page.GotoAsync(new Uri(root, "/tables").AbsoluteUri);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login\\?next=%2Ftables$"));
        watched.ShouldHaveNoProblems();
    }

    /// <summary>Waits until the API lists at least <paramref name="count"/> finished runs; returns how many it lists.</summary>
    private static async Task<int> RunCountAsync(HttpClient http, int count, CancellationToken ct)
    {
        for (var i = 0; i < 600; i++)
        {
            var runs = (await http.GetFromJsonAsync<JsonElement>("/api/runs", ct)).GetArrayLength();
            if (runs >= count)
            {
                return runs;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException($"{count} runs did not show in /api/runs within 60 s.");
    }

    private static async Task<string> ProjectAsync(CancellationToken ct)
    {
        var project = Directory.CreateTempSubdirectory("wharf-browser-login-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        await File.WriteAllTextAsync(Path.Combine(project, "data", "orders.csv"), "order_id,amount\n1,10.5\n2,3\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), """
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders: { source: files, files: "*.csv", table: orders }
            server: { auth: { token: "${WHARF_TOKEN}" } }
            """, ct);
        return project;
    }
}
