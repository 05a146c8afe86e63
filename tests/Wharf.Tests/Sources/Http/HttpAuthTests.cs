using System.Text;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// Every kind of <c>auth:</c> against a server that checks it: the right credentials load the
/// records; wrong or expired ones fail with a message about credentials; the secret (from .env or
/// the environment) appears in no output, audit row, state or lake file.
/// </summary>
public sealed class HttpAuthTests : IDisposable
{
    private const string Records = """[{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]""";

    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private static Func<ApiContext, Task> Guarded(Func<ApiContext, bool> allowed) =>
        context => allowed(context) ? context.Json(Records) : context.Json("""{"error": "unauthorized"}""", 401);

    private async Task<WharfProcess.Result> RunAsync(ApiServer server, string auth, string secret)
    {
        project.Write(".env", $"API_SECRET={secret}\n");
        project.WithApi(server.Url, """
              items:
                source: api
                endpoint: /items
            """, auth);
        return await project.RunAsync("run");
    }

    [Theory]
    [InlineData("s3cret-Bearer-Token-0001", 0)]
    [InlineData("wrong-Bearer-Token-0002", 1)]
    public async Task Bearer_RightTokenLoads_WrongOneFailsAsCredentials(string token, int exitCode)
    {
        await using var server = await ApiServer.StartAsync("/items", Guarded(c => c.Header("Authorization") == "Bearer s3cret-Bearer-Token-0001"));

        var result = await RunAsync(server, "auth: { type: bearer, token: \"${API_SECRET}\" }", token);

        result.ExitCode.ShouldBe(exitCode, result.ToString());
        if (exitCode == 0)
        {
            project.Rows("SELECT id, name FROM items ORDER BY id").ShouldBe(["1 | a", "2 | b"]);
        }
        else
        {
            result.Error.ShouldContain("401");
            result.Error.ShouldContain("the credentials were refused");
            server.To("/items").Count.ShouldBe(1, "a 401 is not retried");
        }

        project.ShouldNotLeak(token, result);
    }

    [Theory]
    [InlineData("pa55:word@Basic", 0)]
    [InlineData("not-the-password", 1)]
    public async Task Basic_RightPasswordLoads_WrongOneFails(string password, int exitCode)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:pa55:word@Basic"));
        await using var server = await ApiServer.StartAsync("/items", Guarded(c => c.Header("Authorization") == expected));

        var result = await RunAsync(server, "auth: { type: basic, user: reader, password: \"${API_SECRET}\" }", password);

        result.ExitCode.ShouldBe(exitCode, result.ToString());
        project.ShouldNotLeak(password, result);
        project.ShouldNotLeak(Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:" + password)), result);
    }

    [Fact]
    public async Task Basic_HeaderEchoedByTheServer_IsMaskedInTheError()
    {
        // The base64 of user:password is the password, in a form a reader decodes at once.
        await using var server = await ApiServer.StartAsync("/items", c => c.Json($$"""{"error": "bad request from {{c.Header("Authorization")}}"}""", 400));

        var result = await RunAsync(server, "auth: { type: basic, user: reader, password: \"${API_SECRET}\" }", "echoed-Pa55word");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("bad request from Basic ***");
        project.ShouldNotLeak(Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:echoed-Pa55word")), result);
    }

    [Fact]
    public async Task ApiKey_InTheQuery_IsSetOnce_WhenTheServersNextUrlCarriesItAlready()
    {
        await using var server = await ApiServer.StartAsync("/items", c => c.QueryInt("page", 1) == 1
            ? c.Json($$"""{"items": [{"id": 1}], "next": "/items?page=2&key={{c.Query("key")}}"}""")
            : c.Json("""{"items": [{"id": 2}], "next": null}"""));
        project.Write(".env", "API_SECRET=query-key-24680\n");
        project.WithApi(server.Url, """
              items:
                source: api
                endpoint: /items
                records: items
                paginate: { type: next_url }
            """, "auth: { type: api_key, in: query, name: key, key: \"${API_SECRET}\" }");

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        server.To("/items").Select(r => r.PathAndQuery).ShouldBe(["/items?key=query-key-24680", "/items?page=2&key=query-key-24680"]);
    }

    [Fact]
    public async Task ApiKey_InAHeaderOfItsName()
    {
        await using var server = await ApiServer.StartAsync("/items", Guarded(c => c.Header("X-Token") == "key-in-header-123456"));

        var result = await RunAsync(server, "auth: { type: api_key, name: X-Token, key: \"${API_SECRET}\" }", "key-in-header-123456");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT count(*) FROM items").ShouldBe(["2"]);
        project.ShouldNotLeak("key-in-header-123456", result);
    }

    [Fact]
    public async Task ApiKey_InTheQuery_IsMaskedInErrorsAndManifests()
    {
        // Page 1 loads; page 2 fails for good (a 400), so the error message shows page 2's URL.
        await using var server = await ApiServer.StartAsync("/items", c =>
            c.Query("key") != "query-key-987654" ? c.Json("{}", 401)
            : c.QueryInt("page", 1) == 1 ? c.Json(Records)
            : c.Json("""{"error": "bad page"}""", 400));
        project.Write(".env", "API_SECRET=query-key-987654\n");
        project.WithApi(server.Url, """
              items:
                source: api
                endpoint: /items
                paginate: { type: page_number }
            """, "auth: { type: api_key, in: query, name: key, key: \"${API_SECRET}\" }");

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        server.To("/items")[0].PathAndQuery.ShouldBe("/items?page=1&key=query-key-987654");
        result.Error.ShouldContain("400");
        result.Error.ShouldContain($"{server.Url}/items?page=2");
        project.ShouldNotLeak("query-key-987654", result);
    }

    [Fact]
    public async Task OAuth2ClientCredentials_TokenCachedAcrossPages_RenewedOnceWhenRevoked()
    {
        var issued = 0;
        await using var server = await ApiServer.StartAsync(new Dictionary<string, Func<ApiContext, Task>>
        {
            ["/token"] = c =>
            {
                var form = c.Body.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
                if (form["grant_type"] != "client_credentials" || form["client_id"] != "wharf" || form["client_secret"] != "client-Secret-42" || form["scope"] != "read write")
                {
                    return c.Json("""{"error": "invalid_client"}""", 401);
                }

                return c.Json($$"""{"access_token": "issued-token-{{Interlocked.Increment(ref issued)}}", "token_type": "Bearer", "expires_in": 3600}""");
            },

            // The first token is revoked after two pages.
            ["/items"] = c =>
            {
                var page = c.QueryInt("page", 1);
                var token = c.Header("Authorization");
                var valid = token == "Bearer issued-token-2" || (token == "Bearer issued-token-1" && page <= 2);
                return !valid ? c.Json("{}", 401) : c.Json(page > 4 ? "[]" : $$"""[{"id": {{page}}}]""");
            },
        });
        project.Write(".env", "CLIENT_SECRET=client-Secret-42\n");
        project.WithApi(server.Url, """
              items:
                source: api
                endpoint: /items
                paginate: { type: page_number }
            """, $$"""
            auth:
              type: oauth2_client_credentials
              token_url: "{{server.Url}}/token"
              client_id: wharf
              client_secret: "${CLIENT_SECRET}"
              scopes: [read, write]
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(0, result.ToString());
        project.Rows("SELECT id FROM items ORDER BY id").ShouldBe(["1", "2", "3", "4"]);
        server.To("/token").Count.ShouldBe(2, "one token for the first pages, one more after the 401");
        server.To("/items").Count(r => r.PathAndQuery == "/items?page=3").ShouldBe(2, "page 3 is sent again, once, with the new token");
        project.ShouldNotLeak("client-Secret-42", result);
        project.ShouldNotLeak("issued-token-1", result);
    }

    [Fact]
    public async Task OAuth2ClientCredentials_WrongSecret_SaysTheTokenEndpointRefused()
    {
        await using var server = await ApiServer.StartAsync(new Dictionary<string, Func<ApiContext, Task>>
        {
            ["/token"] = c => c.Json("""{"error": "invalid_client", "error_description": "bad secret"}""", 401),
            ["/items"] = c => c.Json(Records),
        });
        project.Write(".env", "CLIENT_SECRET=Wrong-Client-Secret-77\n");
        project.WithApi(server.Url, """
              items:
                source: api
                endpoint: /items
            """, $$"""
            auth: { type: oauth2_client_credentials, token_url: "{{server.Url}}/token", client_id: wharf, client_secret: "${CLIENT_SECRET}" }
            """);

        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("refused the client credentials: 401 (invalid_client: bad secret)");
        server.To("/items").ShouldBeEmpty();
        project.ShouldNotLeak("Wrong-Client-Secret-77", result);
    }
}
