using System.Text.Json;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// <c>wharf run</c> against a real HTTP server serving 25 movies, with each kind of pagination:
/// every record lands once, paging stops where it should, and a server whose next link loops (or
/// that ignores the page parameter) stops the run with an error naming both URLs, loading nothing.
/// </summary>
public sealed class PaginationTests : IDisposable
{
    private const int Movies = 25;

    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private static string Movie(int id) => $$"""{"id": {{id}}, "title": "Movie {{id}}", "year": {{1990 + id}}}""";

    private static string Page(int from, int count) => "[" + string.Join(", ", Enumerable.Range(from, Math.Max(0, Math.Min(count, Movies - from + 1))).Select(Movie)) + "]";

    private async Task<WharfProcess.Result> RunAsync(ApiServer server, string pipeline)
    {
        project.WithApi(server.Url, pipeline);
        return await project.RunAsync("run");
    }

    private void ShouldHoldEveryMovieOnce() =>
        project.Rows("SELECT count(*), count(DISTINCT id), min(id), max(id), sum(year) FROM movies")
            .ShouldBe([$"{Movies} | {Movies} | 1 | {Movies} | {Enumerable.Range(1, Movies).Sum(i => 1990 + i)}"]);

    [Fact]
    public async Task PageNumber_StopsOnTheShortPage()
    {
        await using var server = await ApiServer.StartAsync("/movies", context =>
        {
            var (page, size) = (context.QueryInt("page", 1), context.QueryInt("per_page", 5));
            return context.Json($$$"""{"data": {"items": {{{Page((page - 1) * size + 1, size)}}}}}""");
        });

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                records: data.items
                paginate: { type: page_number, page_param: page, size_param: per_page, size: 10 }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
        server.To("/movies").Select(r => r.PathAndQuery).ShouldBe(["/movies?page=1&per_page=10", "/movies?page=2&per_page=10", "/movies?page=3&per_page=10"]);
    }

    [Fact]
    public async Task PageNumber_StopsAtTheTotalFromTheBody_AndOnAnEmptyPageWithoutOne()
    {
        // 25 movies in pages of 5: the body says 5 pages, so page 6 is never asked for.
        await using var server = await ApiServer.StartAsync("/movies", context =>
        {
            var page = context.QueryInt("page", 0);
            return context.Json($$"""{"total_pages": 5, "results": {{Page(page * 5 + 1, 5)}}}""");
        });

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: page_number, first_page: 0, total_path: total_pages }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
        server.To("/movies").Count.ShouldBe(5);
    }

    [Fact]
    public async Task Offset_WithATotalHeader()
    {
        await using var server = await ApiServer.StartAsync("/movies", context =>
        {
            context.Response.Headers["X-Total-Count"] = Movies.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return context.Json(Page(context.QueryInt("offset", 0) + 1, context.QueryInt("limit", 0)));
        });

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: offset, limit: 5, total_header: X-Total-Count }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
        server.To("/movies").Select(r => r.PathAndQuery).ShouldBe([.. Enumerable.Range(0, 5).Select(i => $"/movies?offset={i * 5}&limit=5")]);
    }

    [Fact]
    public async Task Cursor_SendsTheTokenBackUntilThereIsNone()
    {
        await using var server = await ApiServer.StartAsync("/movies", context =>
        {
            var from = context.Query("after") is { } after ? int.Parse(after, System.Globalization.CultureInfo.InvariantCulture) + 1 : 1;
            var next = from + 10 <= Movies ? JsonSerializer.Serialize((from + 9).ToString(System.Globalization.CultureInfo.InvariantCulture)) : "null";
            return context.Json($$$"""{"movies": {{{Page(from, 10)}}}, "meta": {"next": {{{next}}}}}""");
        });

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: cursor, cursor_path: meta.next, cursor_param: after }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
        server.To("/movies").Select(r => r.PathAndQuery).ShouldBe(["/movies", "/movies?after=10", "/movies?after=20"]);
    }

    [Fact]
    public async Task NextUrl_FollowsRelativeAndAbsoluteLinks()
    {
        ApiServer? self = null;
        await using var server = await ApiServer.StartAsync("/v1/movies", context =>
        {
            var page = context.QueryInt("p", 1);
            var next = page switch
            {
                1 => "\"movies?p=2\"",
                2 => $"\"{self!.Url}/v1/movies?p=3\"",
                _ => "null",
            };
            return context.Json($$"""{"next": {{next}}, "items": {{Page((page - 1) * 10 + 1, 10)}}}""");
        });
        self = server;

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: v1/movies
                paginate: { type: next_url }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
        server.To("/v1/movies").Select(r => r.PathAndQuery).ShouldBe(["/v1/movies", "/v1/movies?p=2", "/v1/movies?p=3"]);
    }

    [Fact]
    public async Task LinkHeader_FollowsRelNext()
    {
        await using var server = await ApiServer.StartAsync("/movies", context =>
        {
            var page = context.QueryInt("page", 1);
            var links = new List<string> { "</movies?page=1>; rel=\"first\"" };
            if (page < 3)
            {
                links.Add($"</movies?page={page + 1}>; rel=\"next\"");
            }

            context.Response.Headers["Link"] = string.Join(", ", links);
            return context.Json(Page((page - 1) * 10 + 1, 10));
        });

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: link_header }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
        server.To("/movies").Count.ShouldBe(3);
    }

    [Fact]
    public async Task None_ReadsOneBody_WhoseOnlyListHoldsTheRecords()
    {
        await using var server = await ApiServer.StartAsync("/movies", context => context.Json($$"""{"count": 25, "movies": {{Page(1, Movies)}}}"""));

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
    }

    [Fact]
    public async Task NextUrl_ThatLoops_FailsNamingBothUrls_AndLoadsNothing()
    {
        // Page 3's next link points back at page 2.
        await using var server = await ApiServer.StartAsync("/movies", context =>
        {
            var page = context.QueryInt("page", 1);
            return context.Json($$"""{"next": "/movies?page={{(page == 3 ? 2 : page + 1)}}", "items": {{Page((page - 1) * 10 + 1, 10)}}}""");
        });

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: next_url }
            """);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain($"page 3 ({server.Url}/movies?page=3)");
        result.Error.ShouldContain($"gives {server.Url}/movies?page=2 as its next page, which page 2 already fetched");
        server.To("/movies").Count.ShouldBe(3, "the loop is caught before the repeated page is asked for");
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'movies'").ShouldBe(["0"]);
        project.Rows("SELECT status FROM _wharf.runs").ShouldBe(["failed"]);
    }

    [Fact]
    public async Task PageNumber_AgainstAServerThatIgnoresThePage_FailsInsteadOfLoadingDuplicates()
    {
        await using var server = await ApiServer.StartAsync("/movies", context => context.Json(Page(1, 10)));

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: page_number, max_pages: 50 }
            """);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain($"page 2 ({server.Url}/movies?page=2) holds exactly the records of page 1 ({server.Url}/movies?page=1)");
        project.Rows("SELECT count(*) FROM information_schema.tables WHERE table_name = 'movies'").ShouldBe(["0"]);
    }

    [Fact]
    public async Task MaxPages_StopsPaging()
    {
        await using var server = await ApiServer.StartAsync("/movies", context => context.Json(Page((context.QueryInt("page", 1) - 1) * 5 + 1, 5)));

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: page_number, max_pages: 2 }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT count(*), max(id) FROM movies").ShouldBe(["10 | 10"]);
        result.Error.ShouldContain("stopped at max_pages (2) while");
    }

    [Fact]
    public async Task PageNumber_WithASizeNotSent_StopsOnlyOnAnEmptyPage_NotOnAPageShorterThanIt()
    {
        // The server pages by 10 whatever size says: 'size: 25' is never sent, so a page of 10 is not the last.
        await using var server = await ApiServer.StartAsync("/movies", context => context.Json(Page((context.QueryInt("page", 1) - 1) * 10 + 1, 10)));

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                paginate: { type: page_number, size: 25 }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
    }

    [Fact]
    public async Task Offset_WhenTheServerCapsTheLimit_GoesOnByWhatArrived_UntilTheTotal()
    {
        // Asked for 50, the server sends at most 10 (and says there are 25): a short page is not the end.
        await using var server = await ApiServer.StartAsync("/movies", context =>
            context.Json($$"""{"results": {{Page(context.QueryInt("offset", 0) + 1, Math.Min(10, context.QueryInt("limit", 0)))}}, "total": {{Movies}}}"""));

        var result = await RunAsync(server, """
              movies:
                source: api
                endpoint: /movies
                records: results
                paginate: { type: offset, limit: 50, total_path: total }
            """);

        result.ExitCode.ShouldBe(0, result.ToString());
        ShouldHoldEveryMovieOnce();
        server.To("/movies").Select(r => r.PathAndQuery).ShouldBe(["/movies?offset=0&limit=50", "/movies?offset=10&limit=50", "/movies?offset=20&limit=50"]);
    }
}
