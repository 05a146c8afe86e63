using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wharf.IntegrationTests.Server;

namespace Wharf.BrowserTests;

/// <summary>
/// A real <c>wharf serve</c> clicked through in Chromium: overview → a run → its table → the
/// lineage, with a succeeded and a failed run, times in the browser's zone, and screenshots.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(Chromium chromium)
{
    /// <summary>UTC+5:30 all year: a converted time cannot be mistaken for UTC.</summary>
    private const string Zone = "Asia/Kolkata";

    [Fact]
    public async Task Dashboard_ClickedThrough_ShowsRunsTablesAndLineage_InTheBrowsersTimeZone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var watched = await chromium.NewPageAsync(Zone);
        var project = await ProjectAsync(ct);
        using var serve = ServeProcess.Start(project, null);
        var root = await serve.ListeningAsync(ct);
        var page = watched.Page;

        // Both runs started from the overview's buttons, as a person would, one after the other.
        await page.GotoAsync(root.AbsoluteUri);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        using var http = new HttpClient { BaseAddress = root };
        var runs = new List<JsonElement>();
        foreach (var pipeline in (string[])["orders", "payments"])
        {
            var button = page.Locator($"button[data-run='{pipeline}']");
            await button.ClickAsync();
            await Assertions.Expect(button).ToHaveTextAsync("started");
            runs = await RunsAsync(http, runs.Count + 1, serve, ct);
        }

        var ordersRun = runs.Single(r => r.GetProperty("pipeline").GetString() == "orders");
        var failedRun = runs.Single(r => r.GetProperty("pipeline").GetString() == "payments");
        ordersRun.GetProperty("status").GetString().ShouldBe("succeeded", serve.Log);
        failedRun.GetProperty("status").GetString().ShouldBe("failed", serve.Log);
        var runId = ordersRun.GetProperty("run_id").GetString()!;

        await page.ReloadAsync();
        var ordersRow = page.Locator("tr", new() { Has = page.Locator("a[href='/pipelines/orders']") });
        await Assertions.Expect(ordersRow.Locator("td").Nth(2)).ToHaveTextAsync("succeeded 1 failing check(s)");
        await Assertions.Expect(ordersRow.Locator("td").Nth(5).Locator(".ok")).ToContainTextAsync("(SLA 2.0 h)");
        await Assertions.Expect(ordersRow.Locator("td.n")).ToHaveTextAsync("3");
        var paymentsRow = page.Locator("tr", new() { Has = page.Locator("a[href='/pipelines/payments']") });
        await Assertions.Expect(paymentsRow.Locator("td").Nth(2)).ToHaveTextAsync("failed 1 failing check(s)");
        await ShouldShowLocalTimeAsync(ordersRow.Locator("time").First);
        await watched.ScreenshotAsync("dashboard-overview");

        // overview → the run
        await ordersRow.Locator($"a[href='/runs/{runId}']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync($"Run {runId}");
        var stream = page.Locator("tr", new() { Has = page.Locator($"a[href='/runs/{runId}']") });
        await Assertions.Expect(stream.Locator("td")).ToHaveTextAsync(new Regex[]
        {
            new($"^{runId}$"), new("^orders$"), new("^main\\.orders$"), new(".+"), new("^succeeded$"), new("^3$"), new("^3$"), new("^0$"), new("^0$"), new("^0$"), new("^\\d+\\.\\d\\d$"),
        });
        await ShouldShowLocalTimeAsync(stream.Locator("time"));
        await Assertions.Expect(page.Locator("h2")).ToHaveTextAsync(["main.orders", "Log"]);
        await Assertions.Expect(page.Locator("div", new() { HasText = "check range(amount)" }).Locator(".bad")).ToHaveTextAsync("warned");
        await Assertions.Expect(page.Locator("div", new() { HasText = "check range(amount)" })).ToContainTextAsync("(1 of 3 rows)");
        await Assertions.Expect(page.Locator("pre.log")).ToContainTextAsync($"Run {runId}: orders loaded 3 rows into main.orders");
        await watched.ScreenshotAsync("dashboard-run");

        // the run → its stream in the lake: the file it wrote, and a sample read back from it
        await page.Locator("a", new() { HasText = "browse the stream" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Lake: orders/orders");
        await Assertions.Expect(page.Locator("main > p").First).ToContainTextAsync("1 file · 3 rows · ");
        await Assertions.Expect(page.Locator($"a[href='/runs/{runId}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table").Last).ToContainTextAsync("20.25");
        await watched.ScreenshotAsync("dashboard-lake");

        // the run → its table, through the tables list
        await page.Locator("header a", new() { HasText = "Tables" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Tables");
        await page.Locator("a[href='/tables/main/orders']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("main.orders");
        // The CSV's three columns, then the two Wharf adds to every loaded row (its run and load time).
        await Assertions.Expect(page.Locator("main > p").First).ToHaveTextAsync("3 rows · 5 columns");
        var columns = page.Locator("table").First.Locator("tr:has(td) td:first-child");
        await Assertions.Expect(columns).ToHaveTextAsync(["order_id", "amount", "ordered_at", "_wharf_run_id", "_wharf_loaded_at"]);
        var sample = page.Locator("h2", new() { HasText = "Sample" }).Locator("xpath=following-sibling::table[1]");
        await Assertions.Expect(sample.Locator("th")).ToHaveTextAsync(["order_id", "amount", "ordered_at", "_wharf_run_id", "_wharf_loaded_at"]);
        await Assertions.Expect(sample.Locator("tr:has(td)")).ToHaveCountAsync(3);
        await Assertions.Expect(sample).ToContainTextAsync("20.25");
        (await page.Locator("svg polyline").CountAsync()).ShouldBe(1, "amount over ordered_at, drawn by default");
        await watched.ScreenshotAsync("dashboard-table");

        // the table → the lineage, and back to the table through its node
        await page.Locator("header a", new() { HasText = "Lineage" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Lineage");
        await Assertions.Expect(page.Locator("svg text", new() { HasText = "orders.csv" }).First).ToBeVisibleAsync();
        await watched.ScreenshotAsync("dashboard-lineage");
        await page.Locator("svg a[href='/tables/main/orders']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("main.orders");

        await ShouldFindTheFailedRunAsync(watched, failedRun.GetProperty("run_id").GetString()!);
        watched.ShouldHaveNoProblems();
    }

    /// <summary>The failed run, found through the runs filter: its error and the failing check in full.</summary>
    private static async Task ShouldFindTheFailedRunAsync(WatchedPage watched, string failedId)
    {
        var page = watched.Page;
        await page.Locator("header a", new() { HasText = "Runs" }).ClickAsync();
        await page.Locator("select[name=status]").SelectOptionAsync("failed");
        await page.Locator("form button", new() { HasText = "Filter" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=failed"));
        await Assertions.Expect(page.Locator("td a[href^='/runs/']")).ToHaveTextAsync([failedId]);
        await page.Locator($"a[href='/runs/{failedId}']").ClickAsync();
        await Assertions.Expect(page.Locator("td .bad")).ToHaveTextAsync("failed");
        await Assertions.Expect(page.Locator("pre.bad")).ToContainTextAsync("amount");
        await Assertions.Expect(page.Locator("div", new() { HasText = "check not_null" }).Locator(".bad")).ToHaveTextAsync("failed");
        await watched.ScreenshotAsync("dashboard-failed-run");
    }

    /// <summary>The page script turned the UTC time the server wrote into the browser's zone (en-US, Asia/Kolkata).</summary>
    private static async Task ShouldShowLocalTimeAsync(ILocator time)
    {
        var utc = DateTimeOffset.Parse((await time.GetAttributeAsync("datetime"))!, CultureInfo.InvariantCulture);
        var local = utc.ToOffset(TimeSpan.FromHours(5.5));
        var expected = local.ToString("M/d/yyyy, h:mm:ss tt", CultureInfo.InvariantCulture);
        // Chromium puts a narrow no-break space before AM/PM.
        var shown = (await time.InnerTextAsync()).Replace('\u202f', ' ');
        shown.ShouldBe(expected, $"{utc:o} shown in {Zone}");
        shown.ShouldNotContain("UTC");
    }

    private static async Task<List<JsonElement>> RunsAsync(HttpClient http, int count, ServeProcess serve, CancellationToken ct)
    {
        for (var i = 0; i < 600; i++)
        {
            var runs = (await http.GetFromJsonAsync<JsonElement>("/api/runs", ct)).EnumerateArray().ToList();
            if (runs.Count >= count && runs.All(r => r.GetProperty("status").GetString() != "running"))
            {
                return runs;
            }

            await Task.Delay(100, ct);
        }

        throw new TimeoutException($"{count} runs did not finish within 60 s:\n{serve.Log}");
    }

    /// <summary>Two pipelines over CSV files: orders loads (one row warned by a check), payments fails its not_null check.</summary>
    private static async Task<string> ProjectAsync(CancellationToken ct)
    {
        var project = Directory.CreateTempSubdirectory("wharf-browser-serve-").FullName;
        Directory.CreateDirectory(Path.Combine(project, "data"));
        await File.WriteAllTextAsync(Path.Combine(project, "data", "orders.csv"),
            "order_id,amount,ordered_at\n1,10.5,2026-01-01T08:00:00Z\n2,20.25,2026-01-02T09:30:00Z\n3,7,2026-01-03T10:45:00Z\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "data", "payments.csv"), "payment_id,amount\n1,10.5\n2,\n", ct);
        await File.WriteAllTextAsync(Path.Combine(project, "wharf.yml"), """
            connections:
              files: { type: files, path: data/ }
            pipelines:
              orders:
                source: files
                files: "orders.csv"
                table: orders
                freshness: 2h
                checks:
                  - range: { column: amount, max: 15 }
                    severity: warn
              payments:
                source: files
                files: "payments.csv"
                table: payments
                checks: [not_null: [amount]]
                on_check_failure: fail
            """, ct);
        return project;
    }
}
