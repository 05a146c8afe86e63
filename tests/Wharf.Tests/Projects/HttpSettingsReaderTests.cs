namespace Wharf.Tests.Projects;

/// <summary>wharf.yml's http connections and pipelines: what is read, and the errors that name the line.</summary>
public sealed class HttpSettingsReaderTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Project(string connection, string pipeline) => $"""
        connections:
          api:
            type: http
            base_url: https://api.test/v1
        {connection}
        pipelines:
          movies:
            source: api
            endpoint: /movies
        {pipeline}
        """;

    [Fact]
    public async Task Load_ReadsTheConnectionAndPipeline()
    {
        folder.WriteProject(Project("""
                auth: { type: api_key, in: query, key: k-1 }
                rate_limit: 0.5
                retry: { attempts: 2, delay: 250ms, max_time: 1m }
            """, """
                paginate: { type: offset, limit: 50, total_path: meta.total }
                incremental: { param: since, cursor: updated_at, lookback: 10m }
                mode: merge
                primary_key: id
                body: { status: [active], limit: 10, label: "{{ date }}" }
                method: post
            """));
        var project = await folder.LoadAsync();

        var http = project.Connections.Single().Http!;
        http.BaseUrl.ShouldBe(new Uri("https://api.test/v1"));
        (http.Auth!.InQuery, http.Auth.Name, http.Auth.Key).ShouldBe((true, "api_key", "k-1"));
        http.RateLimit.ShouldBe(0.5);
        (http.Retry.Attempts, http.Retry.Delay, http.Retry.MaxTime).ShouldBe((2, TimeSpan.FromMilliseconds(250), TimeSpan.FromMinutes(1)));
        var pipeline = project.Pipelines.Single();
        (pipeline.Http!.Paginate.Limit, pipeline.Http.Paginate.TotalPath).ShouldBe((50, "meta.total"));
        pipeline.Http.Incremental!.Param.ShouldBe("since");
        pipeline.Incremental.Cursor.ShouldBe(["updated_at"]);
        pipeline.Incremental.Lookback!.Duration.ShouldBe(TimeSpan.FromMinutes(10));
        pipeline.Http.Method.ShouldBe("POST");
        pipeline.Http.Body.ShouldBe("""{"status":["active"],"limit":10,"label":"{{ date }}"}""");
    }

    [Theory]
    [InlineData("", "paginate: { type: offset }", "needs 'limit:'")]
    [InlineData("", "paginate: { type: pages }", "has type 'pages'; expected one of none, page_number, offset, cursor, next_url, link_header")]
    [InlineData("auth: { type: bearer }", "", "auth type bearer of connection 'api' needs 'token:'")]
    [InlineData("auth: { type: digest, token: x }", "", "has type 'digest'")]
    [InlineData("timeout: soon", "", "'timeout' of connection 'api' must be a duration")]
    [InlineData("", "incremental: { param: since, cursor: updated_at }\n    for_each: { values: [a] }", "'incremental:' and 'for_each:' cannot be combined yet")]
    [InlineData("", "incremental: { cursor: updated_at }", "needs 'param:'")]
    [InlineData("", "mode: merge", "add 'primary_key:'")]
    [InlineData("", "for_each: { values: [a], dates: { from: 2024-01-01 } }", "needs exactly one of dates")]
    [InlineData("", "files: x.csv", "unknown key 'files'")]
    public async Task Load_WhenHttpSettingsAreWrong_NamesTheProblem(string connection, string pipeline, string expected)
    {
        var error = await folder.LoadFailsAsync(Project("    " + connection, "    " + pipeline));

        error.Message.ShouldContain(expected);
        error.Line.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Load_WhenBaseUrlIsNotHttp_SaysSo()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              api: { type: http, base_url: "ftp://files.test/" }
            pipelines:
              movies: { source: api, endpoint: /movies }
            """);

        error.Message.ShouldContain("must be an absolute http:// or https:// URL");
        error.Line.ShouldBe(2);
    }
}
