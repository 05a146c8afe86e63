using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Wharf.Projects;
using Wharf.Sources.Http;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// A folder on a WebDAV server (Nextcloud, ownCloud, SharePoint, Apache's mod_dav), over
/// <see cref="HttpClient"/>: PROPFIND (depth 1, folder by folder) lists, GET downloads, MKCOL and
/// MOVE or DELETE act after the commit. Basic or bearer authentication; TLS trust as for HTTP
/// sources. Transient failures (refused or cut connections, 5xx, 408, 429) are retried with
/// backoff, and a download starts over, so a file is never read half.
/// </summary>
internal sealed class WebDavLocation : IFileLocation
{
    private static readonly XNamespace Dav = "DAV:";
    private static readonly HttpMethod PropFind = new("PROPFIND");
    private static readonly HttpMethod MkCol = new("MKCOL");
    private static readonly HttpMethod Move = new("MOVE");

    private readonly WebDavSettings settings;
    private readonly HttpClient client;
    private readonly ResiliencePipeline retries;

    public WebDavLocation(string connection, WebDavSettings settings, TimeProvider time, ILogger? logger = null, int attempts = 4)
    {
        this.settings = settings;
        var handler = HttpHandler.Create(new HttpConnectionSettings { BaseUrl = settings.Url, CaFile = settings.CaFile, SkipTlsVerify = settings.SkipTlsVerify }, connection, logger ?? NullLogger.Instance);
        handler.AutomaticDecompression = DecompressionMethods.None; // the bytes as stored: their length is the listed size
        client = new HttpClient(handler) { Timeout = TimeSpan.FromHours(1) };
        retries = TransferRetries.Build(time, attempts, IsTransient, logger ?? NullLogger.Instance, Describe, Reason);
    }

    public string Describe() => settings.Describe();

    public async IAsyncEnumerable<LocationEntry> ListAsync(string folder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var files = await FolderWalk.FilesAsync(folder, recursive,
            async current => await CallAsync("list files", token => ListFolderAsync(current, token), cancellationToken),
            () => new LocationException($"{Describe()}: the folder does not exist on the server (404); check 'url:'.", transient: false));
        foreach (var entry in files)
        {
            yield return entry;
        }
    }

    /// <summary>The members of one folder (not the folder itself); null when it does not exist.</summary>
    private async Task<List<FolderMember>?> ListFolderAsync(string folder, CancellationToken cancellationToken)
    {
        using var request = Request(PropFind, Url(folder, isFolder: true));
        request.Headers.Add("Depth", "1");
        request.Content = new StringContent(
            """<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><resourcetype/><getcontentlength/><getlastmodified/><getetag/></prop></propfind>""",
            Encoding.UTF8, "application/xml");
        using var response = await client.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Check(response);
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var items = new List<FolderMember>();
        foreach (var member in document.Root?.Elements(Dav + "response") ?? [])
        {
            var href = member.Element(Dav + "href")?.Value;
            var path = href is null ? null : RelativePath(href);
            if (path is null || path.Length == 0 || path == folder)
            {
                continue; // the folder itself
            }

            var properties = member.Elements(Dav + "propstat").Where(p => p.Element(Dav + "status")?.Value.Contains(" 200 ", StringComparison.Ordinal) == true)
                .Select(p => p.Element(Dav + "prop")).OfType<XElement>().SelectMany(p => p.Elements()).ToList();
            var isFolder = properties.FirstOrDefault(p => p.Name == Dav + "resourcetype")?.Element(Dav + "collection") is not null;
            items.Add(new FolderMember(path, isFolder, isFolder ? null : new LocationEntry(
                path,
                long.TryParse(Value(properties, "getcontentlength"), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : 0,
                DateTimeOffset.TryParse(Value(properties, "getlastmodified"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified) ? modified.ToUniversalTime() : DateTimeOffset.UnixEpoch,
                Value(properties, "getetag") is { Length: > 0 } etag ? etag : null)));
        }

        return items;
    }

    private static string? Value(List<XElement> properties, string name) => properties.FirstOrDefault(p => p.Name == Dav + name)?.Value;

    /// <summary>A member's path relative to the root, from its href (absolute or a path, percent-encoded); null when outside the root.</summary>
    private string? RelativePath(string href)
    {
        var absolute = new Uri(settings.Url, href);
        var root = settings.Url.AbsolutePath;
        var path = absolute.AbsolutePath;
        return path.StartsWith(root, StringComparison.Ordinal) ? Uri.UnescapeDataString(path[root.Length..]).Trim('/') : null;
    }

    public string? LocalPath(LocationEntry entry) => null;

    public Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        return CallAsync($"download {entry.Path}", async token =>
        {
            using var request = Request(HttpMethod.Get, Url(entry.Path, isFolder: false));
            if (entry.ETag is { } etag && !etag.StartsWith("W/", StringComparison.Ordinal))
            {
                // A file rewritten since it was listed fails here rather than loading content its identity does not describe.
                request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            Check(response);
            await WholeDownload.WriteAsync(entry, localPath, (target, t) => response.Content.CopyToAsync(target, t), " (or the file changed while it was read)", token);
            return true;
        }, cancellationToken);
    }

    public Task MoveAsync(LocationEntry entry, string targetPath, CancellationToken cancellationToken) =>
        CallAsync($"move {entry.Path} to {targetPath}", async token =>
        {
            var folder = "";
            foreach (var part in targetPath.Split('/')[..^1])
            {
                folder = folder.Length == 0 ? part : folder + "/" + part;
                using var make = Request(MkCol, Url(folder, isFolder: true));
                using var made = await client.SendAsync(make, token);
                if (made.StatusCode != HttpStatusCode.MethodNotAllowed)
                {
                    Check(made); // 405: the folder is there already
                }
            }

            using var request = Request(Move, Url(entry.Path, isFolder: false));
            request.Headers.Add("Destination", Url(targetPath, isFolder: false).AbsoluteUri);
            request.Headers.Add("Overwrite", "F"); // an archived file of that name is never replaced
            using var response = await client.SendAsync(request, token);
            Check(response);
            return true;
        }, cancellationToken);

    public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken) =>
        CallAsync($"delete {entry.Path}", async token =>
        {
            using var request = Request(HttpMethod.Delete, Url(entry.Path, isFolder: false));
            using var response = await client.SendAsync(request, token);
            Check(response);
            return true;
        }, cancellationToken);

    public async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var items = await CallAsync("open the folder", token => ListFolderAsync("", token), cancellationToken)
            ?? throw new LocationException($"{Describe()}: the folder does not exist on the server (404); check 'url:'.", transient: false);
        var who = settings.User is not null ? $" as {settings.User}" : settings.Token is not null ? " with a bearer token" : "";
        return $"listed {Describe()}{who} ({items.Count(i => !i.IsFolder):N0} files, {items.Count(i => i.IsFolder):N0} folders).";
    }

    public void Dispose() => client.Dispose();

    /// <summary>A path below the root as a URL, each segment percent-encoded.</summary>
    private Uri Url(string relative, bool isFolder)
    {
        var encoded = string.Join('/', relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));
        return new Uri(settings.Url, encoded.Length == 0 ? "" : encoded + (isFolder ? "/" : ""));
    }

    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        if (settings.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (settings.User is { } user)
        {
            request.Headers.Authorization = HttpAuth.Basic(user, settings.Password);
        }

        return request;
    }

    /// <summary>A failed answer as an exception that says what the status means here.</summary>
    private static void Check(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new WebDavStatusException(response.StatusCode, response.RequestMessage?.RequestUri?.AbsolutePath ?? "");
        }
    }

    /// <summary>One call, retried while it fails transiently; then a <see cref="LocationException"/> saying what failed.</summary>
    private async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await retries.ExecuteAsync(async token => await call(token), cancellationToken);
        }
        catch (Exception ex) when (ex is WebDavStatusException or HttpRequestException or IOException or System.Xml.XmlException
            || ex is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new LocationException($"{Describe()}: could not {what}: {Reason(ex)}.", IsTransient(ex), ex);
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        WebDavStatusException status => status.Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status.Status >= 500,
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } } => false,
        HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException } => false,
        HttpRequestException or IOException or TaskCanceledException => true,
        _ => false,
    };

    /// <summary>What failed, in words a user can act on; never the password or the token.</summary>
    private string Reason(Exception ex) => ex switch
    {
        WebDavStatusException { Status: HttpStatusCode.Unauthorized } => settings.Token is not null
            ? "the server refused the bearer token (401); check 'token:'"
            : settings.User is not null ? $"the server refused the login of {settings.User} (401); check 'user:' and 'password:'" : "the server wants a login (401); set 'user:' and 'password:', or 'token:'",
        WebDavStatusException { Status: HttpStatusCode.Forbidden } => $"permission denied (403){(settings.User is null ? "" : $": {settings.User} may not do this")}",
        WebDavStatusException { Status: HttpStatusCode.NotFound } status => $"{status.Path} does not exist on the server (404); check 'url:'",
        WebDavStatusException { Status: HttpStatusCode.PreconditionFailed } => "the file changed on the server since it was listed (412)",
        WebDavStatusException status => $"the server answered {(int)status.Status} {status.Status}",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } } => $"the host {settings.Url.Host} was not found (DNS); check 'url:'",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => $"{settings.Url.Host}:{settings.Url.Port} refused the connection; is the server running, and the port in 'url:' right?",
        HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException tls } => $"the TLS handshake failed ({tls.Message}); trust the server's certificate authority with 'tls: {{ ca_file: }}'",
        TaskCanceledException => $"{settings.Url.Host}:{settings.Url.Port} did not answer in time",
        System.Xml.XmlException xml => $"the server's PROPFIND answer is not the XML WebDAV sends ({xml.Message}); is 'url:' a WebDAV folder?",
        _ => ex.Message,
    };
}

/// <summary>A WebDAV request answered with a status that is not a success.</summary>
internal sealed class WebDavStatusException(HttpStatusCode status, string path) : Exception($"{(int)status} {status} for {path}")
{
    public HttpStatusCode Status { get; } = status;

    public string Path { get; } = path;
}
