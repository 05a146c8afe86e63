namespace Wharf.BrowserTests;

/// <summary>
/// One headless Debian Chromium for the whole test run, driven by Playwright. Without
/// /usr/bin/chromium the tests are skipped with a message on a developer's machine and fail under
/// CI=true, where a skipped browser test would look like a pass.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Debian's package; WHARF_TEST_CHROMIUM names another binary.</summary>
    public static string ExecutablePath { get; } = Environment.GetEnvironmentVariable("WHARF_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public const string MissingMessage =
        "Debian's chromium package is needed for the browser tests (scripts/test.sh installs it as root: apt-get install chromium).";

    private IPlaywright? playwright;
    private IBrowser? browser;

    /// <summary>Where the screenshots go: TestResults/screenshots beside the test assembly.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            // Remembered as "no browser": each test then skips (or, in CI, fails) saying why.
            return;
        }

        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
        });
        Directory.CreateDirectory(Screenshots);
    }

    /// <summary>
    /// A fresh context (cookies, time zone) and page that records every console error, script
    /// error, failed request and HTTP error status.
    /// </summary>
    public async Task<WatchedPage> NewPageAsync(string timezone = "UTC")
    {
        var ready = browser ?? throw Missing();
        var context = await ready.NewContextAsync(new BrowserNewContextOptions
        {
            TimezoneId = timezone,
            Locale = "en-US",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        // Generous: under scripts/test.sh four test projects share two cores, and a click on a
        // loaded machine took more than 15 s once; a page that never answers still fails.
        context.SetDefaultTimeout(60_000);
        return new WatchedPage(context, await context.NewPageAsync());
    }

    private static InvalidOperationException Missing()
    {
        var why = $"{MissingMessage} There is no {ExecutablePath}.";
        if (!InCi)
        {
            Assert.Skip(why);
        }

        return new InvalidOperationException(why);
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}

/// <summary>The tests that share the browser; they run one after another (two cores, one Chromium).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "browser";
}
