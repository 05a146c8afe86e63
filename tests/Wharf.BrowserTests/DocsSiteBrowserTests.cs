using System.Text.RegularExpressions;

namespace Wharf.BrowserTests;

/// <summary><c>wharf docs</c> over the built jaffle_shop, read in Chromium from file://: the index, its search, the links between pages and the lineage graph.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DocsSiteBrowserTests(Chromium chromium)
{
    private static readonly string[] Models = ["customers", "order_payments", "order_status_daily", "orders", "stg_customers", "stg_orders", "stg_payments"];

    [Fact]
    public async Task Index_ListsEveryModel_SearchFilters_AndLinksLeadUpstreamAndToTheLineage()
    {
        // The browser first: without one the test skips (or fails in CI) before building anything.
        await using var watched = await chromium.NewPageAsync();
        var site = await SiteAsync();
        var page = watched.Page;
        await page.GotoAsync(new Uri(Path.Combine(site, "index.html")).AbsoluteUri);

        (await page.Locator("a[href^='models/']").AllInnerTextsAsync()).Order(StringComparer.Ordinal).ShouldBe(Models);
        await watched.ScreenshotAsync("docs-index");

        // Typing filters as you type; the other entries hide.
        await page.Locator("#q").FillAsync("stg_pay");
        await Assertions.Expect(page.Locator("li[data-search]:visible")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("a[href='models/stg_payments.html']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("a[href='models/orders.html']")).ToBeHiddenAsync();
        await page.Locator("#q").FillAsync("");
        await Assertions.Expect(page.Locator("a[href^='models/']:visible")).ToHaveCountAsync(Models.Length);

        // model → the model it reads → the lineage graph → back to a model through the graph.
        await page.Locator("a[href='models/orders.html']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("orders");
        await Assertions.Expect(page.Locator("td.description").First).ToBeVisibleAsync();
        await watched.ScreenshotAsync("docs-model-orders");
        await page.Locator("ul.links a", new() { HasText = "main.stg_orders" }).First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/models/stg_orders\\.html$"));
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("stg_orders");
        (await page.Locator("svg.lineage g.node").CountAsync()).ShouldBeGreaterThan(1, "the page's own neighbourhood in the lineage");

        await page.Locator("header a", new() { HasText = "Lineage" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/lineage\\.html$"));
        var nodes = await page.Locator("svg.lineage g.node").CountAsync();
        nodes.ShouldBeGreaterThanOrEqualTo(Models.Length + 3, "every model and seed is a node of the graph");
        await watched.ScreenshotAsync("docs-lineage");
        await page.Locator("svg.lineage a[href='models/customers.html']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("customers");

        watched.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task EveryLinkOnEveryPage_OpensAPage_WhenClicked()
    {
        // The browser first: without one the test skips (or fails in CI) before building anything.
        await using var watched = await chromium.NewPageAsync();
        var site = await SiteAsync();
        var page = watched.Page;
        var index = new Uri(Path.Combine(site, "index.html")).AbsoluteUri;
        var pages = new Queue<string>([index]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { index };
        var clicked = 0;
        while (pages.TryDequeue(out var url))
        {
            await page.GotoAsync(url);
            // SVG links have an SVGAnimatedString href: read the attribute and resolve it like the browser does.
            var targets = await page.EvaluateAsync<string[]>(
                "() => [...new Set([...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')))]");
            foreach (var href in targets)
            {
                await page.GotoAsync(url);
                // Wait for the address the link names, not for a load event: a file:// navigation can
                // fire "load" before Playwright listens for it, and the wait then never ends.
                var expected = new Uri(new Uri(url), href).AbsoluteUri;
                await page.Locator($"a[href=\"{href}\"]").First.ClickAsync();
                await Assertions.Expect(page).ToHaveURLAsync(expected);
                var target = expected.Split('#')[0];
                File.Exists(new Uri(target).LocalPath).ShouldBeTrue($"{Relative(site, url)} links to {href}, which is not there");
                await Assertions.Expect(page.Locator("h1")).ToHaveCountAsync(1);
                clicked++;
                if (seen.Add(target))
                {
                    pages.Enqueue(target);
                }
            }
        }

        // index, lineage, 7 models, 3 seeds: every page was reached by clicking from the index.
        seen.Count.ShouldBe(12, string.Join("\n", seen));
        clicked.ShouldBeGreaterThan(50);
        watched.ShouldHaveNoProblems();
    }

    private static string Relative(string site, string url) => Path.GetRelativePath(site, new Uri(url).LocalPath);

    /// <summary>jaffle_shop built by <c>wharf build</c> and documented by <c>wharf docs</c>, as a user would.</summary>
    private static async Task<string> SiteAsync()
    {
        var project = WharfCli.CopyExample("jaffle_shop");
        var build = await WharfCli.RunAsync(project, "build", "--project", project);
        build.Exit.ShouldBe(0, build.Output);
        var site = Path.Combine(project, "site");
        var docs = await WharfCli.RunAsync(project, "docs", "--project", project, "--out", site);
        docs.Exit.ShouldBe(0, docs.Output);
        docs.Output.ShouldContain("Wrote 12 pages");
        return site;
    }
}
