using System.Net.Http.Headers;
using System.Text;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// The WebDAV server the location tests run against: Apache with mod_dav that scripts/test.sh
/// starts (scripts/webdav.sh), described by <c>WHARF_TEST_WEBDAV_URL</c>, <c>_USER</c>,
/// <c>_PASSWORD</c> and <c>_DIR</c> (its folder on this machine, <c>files/</c> being the URL's). Without
/// them the tests fail under <c>CI=true</c> and are skipped elsewhere. Each test gets a folder of its
/// own, filled over WebDAV (PUT, MKCOL), so the server's user owns what it later moves or deletes.
/// </summary>
public sealed class WebDavServer : IDisposable
{
    private const string MissingMessage =
        "WHARF_TEST_WEBDAV_URL is not set: run the tests through ./scripts/test.sh, which starts Apache with mod_dav " +
        "(or start one with `eval \"$(scripts/webdav.sh start)\"`)";

    private readonly HttpClient client = new();

    public string Url { get; } = Variable("URL");

    public string User { get; } = Variable("USER");

    public string Password { get; } = Variable("PASSWORD");

    private string Files { get; } = Path.Combine(Variable("DIR"), "files");

    private static string Variable(string name) => Environment.GetEnvironmentVariable("WHARF_TEST_WEBDAV_" + name) ?? "";

    /// <summary>Stops the test unless the server is there: failed under CI=true, skipped elsewhere.</summary>
    public void Require()
    {
        if (Url.Length > 0)
        {
            return;
        }

        throw TestServers.Missing(MissingMessage, "WebDAV");
    }

    /// <summary>A new folder of the test's own on the server; its name (below the server's URL).</summary>
    public async Task<string> CreateFolderAsync()
    {
        Require();
        var folder = $"t-{Guid.NewGuid():N}";
        await SendAsync(new HttpMethod("MKCOL"), folder + "/");
        return folder;
    }

    /// <summary>Writes a file (folders made as needed) under the server's URL.</summary>
    public async Task PutAsync(string path, string text) => await PutAsync(path, Encoding.UTF8.GetBytes(text));

    public async Task PutAsync(string path, byte[] bytes)
    {
        var parts = path.Split('/');
        for (var i = 2; i < parts.Length; i++)
        {
            // 405: there already.
            await SendAsync(new HttpMethod("MKCOL"), string.Join('/', parts[..i]) + "/", allowed: System.Net.HttpStatusCode.MethodNotAllowed);
        }

        await SendAsync(HttpMethod.Put, path, new ByteArrayContent(bytes));
    }

    /// <summary>Every file below a folder, relative to it, in order (read from the server's folder on disk).</summary>
    public List<string> FilesIn(string folder) =>
        [.. Directory.EnumerateFiles(Path.Combine(Files, folder), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Files, folder), f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    private async Task SendAsync(HttpMethod method, string path, HttpContent? content = null, System.Net.HttpStatusCode? allowed = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(new Uri(Url), string.Join('/', path.Split('/').Select(Uri.EscapeDataString)))) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        if (response.StatusCode != allowed)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public void Dispose() => client.Dispose();
}
