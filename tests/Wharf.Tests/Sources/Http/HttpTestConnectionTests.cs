using System.Net;
using System.Net.Sockets;
using Wharf.Tests.Cli;

namespace Wharf.Tests.Sources.Http;

/// <summary><c>wharf test-connection</c> on an <c>http</c> connection: one request to <c>check:</c>, and a plain reason when it fails.</summary>
public sealed class HttpTestConnectionTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private Task<WharfProcess.Result> TestAsync(string baseUrl, string connection = "")
    {
        project.Write(".env", "API_TOKEN=probe-Token-31337\n");
        project.WithApi(baseUrl, """
              items:
                source: api
                endpoint: /items
            """, "auth: { type: bearer, token: \"${API_TOKEN}\" }\n" + connection);
        return project.RunAsync("test-connection", "api");
    }

    [Fact]
    public async Task Reachable_SaysWhatAnswered_AfterOneRequestToTheCheckPath()
    {
        await using var server = await ApiServer.StartAsync("/health", c => c.Json("""{"ok": true}"""));

        var result = await TestAsync(server.Url + "/", "check: /health");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain($"ok: api: GET {server.Url}/health answered 200 OK");
        server.To("/health").Single().Headers["Authorization"].ShouldBe("Bearer probe-Token-31337");
        project.ShouldNotLeak("probe-Token-31337", result);
    }

    [Theory]
    [InlineData(401, "the credentials were refused")]
    [InlineData(403, "not allowed to read this")]
    [InlineData(404, "there is nothing at this URL")]
    public async Task StatusFromTheServer_IsExplained_Once(int status, string reason)
    {
        await using var server = await ApiServer.StartAsync("/health", c => c.Json("""{"error": "no"}""", status));

        var result = await TestAsync(server.Url, "check: health");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain($"Cannot reach 'api': GET {server.Url}/health: {status}");
        result.Error.ShouldContain(reason);
        server.To("/health").Count.ShouldBe(1, "test-connection sends one request");
        project.ShouldNotLeak("probe-Token-31337", result);
    }

    [Fact]
    public async Task NothingListening_SaysRefused()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var result = await TestAsync($"http://127.0.0.1:{port}/api");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("the connection was refused");
    }

    [Fact]
    public async Task UnknownHost_SaysDns()
    {
        var result = await TestAsync("http://no-such-host.invalid/api");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("could not be resolved (DNS)");
    }

    [Fact]
    public async Task TlsToAPlainHttpServer_SaysTlsFailed()
    {
        await using var server = await ApiServer.StartAsync("/health", c => c.Json("{}"));

        var result = await TestAsync(server.Url.Replace("http://", "https://", StringComparison.Ordinal));

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Error.ShouldContain("TLS failed");
        result.Error.ShouldContain("ca_file");
    }
}
