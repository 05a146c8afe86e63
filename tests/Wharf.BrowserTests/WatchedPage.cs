using System.Collections.Concurrent;

namespace Wharf.BrowserTests;

/// <summary>A page with everything that went wrong in it recorded: console errors, uncaught script errors, failed requests, 4xx/5xx responses.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private readonly ConcurrentQueue<string> problems = new();

    public WatchedPage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Enqueue($"console error on {page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"script error on {page.Url}: {error}");
        page.RequestFailed += (_, request) => problems.Enqueue($"request failed: {request.Method} {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                problems.Enqueue($"HTTP {response.Status} for {response.Request.Method} {response.Url}");
            }
        };
    }

    public IPage Page { get; }

    public IBrowserContext Context => context;

    /// <summary>What went wrong so far (empty when nothing did).</summary>
    public IReadOnlyList<string> Problems => [.. problems];

    /// <summary>Forgets the problems recorded so far (after a request that was meant to fail).</summary>
    public void ClearProblems() => problems.Clear();

    /// <summary>Fails the test when anything went wrong on the page, naming each thing.</summary>
    public void ShouldHaveNoProblems() => Problems.ShouldBeEmpty(string.Join("\n", Problems));

    /// <summary>A full-page PNG under <see cref="Chromium.Screenshots"/>.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(Chromium.Screenshots, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        new FileInfo(path).Length.ShouldBeGreaterThan(1000, $"the screenshot {path} has an image in it");
        return path;
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
