using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// What the network does to a run: 429 with Retry-After (seconds or a date), 503 then success, a
/// connection dropped in the middle of a body, gzip, a server slower than the timeout, a 404 (not
/// retried), and the rate limit. Each retried page lands exactly once.
/// </summary>
public sealed class HttpTransportTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private static string Page(int page) => $$"""[{"id": {{page * 10 + 1}}}, {"id": {{page * 10 + 2}}}]""";

    private Task<WharfProcess.Result> RunAsync(ApiServer server, string connection = "", string paginate = "{ type: page_number, max_pages: 3 }")
    {
        project.WithApi(server.Url, $"""
              items:
                source: api
                endpoint: /items
                paginate: {paginate}
            """, connection);
        return project.RunAsync("run");
    }

    private void ShouldHoldThreePagesOnce() =>
        project.Rows("SELECT id FROM items ORDER BY id").ShouldBe(["11", "12", "21", "22", "31", "32"]);

    /// <summary>A handler that fails the first request of page 2 with <paramref name="fail"/>, then answers.</summary>
    private static Func<ApiContext, Task> FailingPageTwoOnce(Func<ApiContext, Task> fail)
    {
        var failed = 0;
        return c => c.QueryInt("page", 1) == 2 && Interlocked.Exchange(ref failed, 1) == 0 ? fail(c) : c.Json(Page(c.QueryInt("page", 1)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TooManyRequests_WaitsAsRetryAfterSays_ThenLoadsEveryPageOnce(bool asDate)
    {
        await using var server = await ApiServer.StartAsync("/items", FailingPageTwoOnce(c =>
        {
            // A date has whole seconds: two seconds ahead is at least one second's wait.
            c.Response.Headers["Retry-After"] = asDate ? DateTimeOffset.UtcNow.AddSeconds(2).ToString("R") : "1";
            return c.Json("""{"error": "slow down"}""", 429);
        }));

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldThreePagesOnce();
        var pageTwo = server.To("/items").Where(r => r.PathAndQuery == "/items?page=2").ToList();
        pageTwo.Count.ShouldBe(2);
        (pageTwo[1].At - pageTwo[0].At).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900), "the retry waited for Retry-After, not the 50 ms backoff");
    }

    [Fact]
    public async Task TooManyRequests_AskingToWaitLongerThanMaxTime_FailsAtOnce_SayingWhy()
    {
        await using var server = await ApiServer.StartAsync("/items", c =>
        {
            c.Response.Headers["Retry-After"] = "3600";
            return c.Json("""{"error": "come back in an hour"}""", 429);
        });

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("The server asked to wait 3600 s (Retry-After), longer than retry.max_time (20 s)");
        server.To("/items").Count.ShouldBe(1);
    }

    [Fact]
    public async Task ServiceUnavailable_ThenSuccess_LoadsEveryPageOnce()
    {
        await using var server = await ApiServer.StartAsync("/items", FailingPageTwoOnce(c => c.Json("""{"error": "maintenance"}""", 503)));

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldThreePagesOnce();
        server.To("/items").Count.ShouldBe(4);
    }

    [Fact]
    public async Task ServiceUnavailable_Always_FailsAfterTheAttempts_SayingWhat()
    {
        await using var server = await ApiServer.StartAsync("/items", c => c.Json("""{"error": "down"}""", 503));

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("503");
        result.Error.ShouldContain("(3 attempts)");
        server.To("/items").Count.ShouldBe(3);
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'items'").ShouldBe(["0"]);
    }

    [Fact]
    public async Task ConnectionDroppedMidBody_IsRetried_AndThePageLandsOnce()
    {
        await using var server = await ApiServer.StartAsync("/items", FailingPageTwoOnce(c => c.DropMidBody(Page(2))));

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldThreePagesOnce();
        server.To("/items").Count.ShouldBe(4);
    }

    [Fact]
    public async Task GzipBody_IsDecompressed()
    {
        await using var server = await ApiServer.StartAsync("/items", async c =>
        {
            using var packed = new MemoryStream();
            await using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(Encoding.UTF8.GetBytes(Page(c.QueryInt("page", 1))));
            }

            c.Response.Headers["Content-Encoding"] = "gzip";
            c.Response.ContentType = "application/json";
            c.Response.ContentLength64 = packed.Length;
            await c.Response.OutputStream.WriteAsync(packed.ToArray());
        });

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldThreePagesOnce();
        server.To("/items")[0].Headers["Accept-Encoding"].ShouldContain("gzip");
    }

    [Fact]
    public async Task SlowServer_TimesOut_AndSaysSo()
    {
        await using var server = await ApiServer.StartAsync("/items", async c =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            await c.Json(Page(1));
        });
        var clock = Stopwatch.StartNew();

        var result = await RunAsync(server, "timeout: 300ms");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("no complete answer within 300 ms");
        result.Error.ShouldContain("(3 attempts)", customMessage: "a timeout is retried like a network error");

        // Counted where the server records a request, which a busy machine may not reach before the client gave up.
        server.To("/items").Count.ShouldBeGreaterThanOrEqualTo(2);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task NotFound_FailsAtOnce_WithoutRetrying()
    {
        await using var server = await ApiServer.StartAsync("/elsewhere", c => c.Json("[]"));

        var result = await RunAsync(server);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("404");
        result.Error.ShouldContain("Check base_url and the endpoint's path");
        server.To("/items").Count.ShouldBe(1);
    }

    [Fact]
    public async Task RateLimit_SpacesTheRequests()
    {
        await using var server = await ApiServer.StartAsync("/items", c => c.Json(Page(c.QueryInt("page", 1))));

        var result = await RunAsync(server, "rate_limit: 5", "{ type: page_number, max_pages: 6 }");

        result.ExitCode.ShouldBe(0, result.ToString());
        var times = server.To("/items").Select(r => r.At).ToList();
        times.Count.ShouldBe(6);
        // Six requests at 5 per second take a second (less the first one's connecting); unpaced, they
        // take a few milliseconds here. Measured where they arrive, so with a margin for a busy machine.
        (times[^1] - times[0]).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(600));
    }
}
