using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port, inside the test process (.NET's HttpListener:
/// the tests run the wharf CLI from their own folder, which cannot also carry ASP.NET Core). Each
/// test maps the paths it needs; every request is recorded (method, path and query, headers, body)
/// so tests can check what Wharf sent.
/// </summary>
internal sealed class ApiServer : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Dictionary<string, Func<ApiContext, Task>> routes;
    private readonly Task loop;

    private ApiServer(HttpListener listener, string url, Dictionary<string, Func<ApiContext, Task>> routes)
    {
        this.listener = listener;
        this.routes = routes;
        Url = url;
        loop = Task.Run(ServeAsync);
    }

    /// <summary>The server's root, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>One request as the server saw it.</summary>
    public sealed record Received(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        /// <summary>When the server accepted the request.</summary>
        public DateTimeOffset At { get; init; }
    }

    /// <param name="routes">Path (without query) → handler.</param>
    public static Task<ApiServer> StartAsync(Dictionary<string, Func<ApiContext, Task>> routes)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return Task.FromResult(new ApiServer(listener, $"http://127.0.0.1:{port}", routes));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Another process took the port between probing and binding: try another.
                listener.Close();
            }
        }
    }

    public static Task<ApiServer> StartAsync(string path, Func<ApiContext, Task> handler) => StartAsync(new() { [path] = handler });

    /// <summary>The requests to a path (without the query), in order.</summary>
    public List<Received> To(string path) => [.. Requests.Where(r => r.PathAndQuery.Split('?')[0] == path)];

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var at = DateTimeOffset.UtcNow;
            _ = Task.Run(() => HandleAsync(context, at));
        }
    }

    private async Task HandleAsync(HttpListenerContext context, DateTimeOffset at)
    {
        var request = context.Request;
        var body = await new StreamReader(request.InputStream, Encoding.UTF8).ReadToEndAsync();
        Requests.Enqueue(new Received(request.HttpMethod, request.Url!.PathAndQuery,
            request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => request.Headers[k]!, StringComparer.OrdinalIgnoreCase), body) { At = at });
        try
        {
            if (routes.TryGetValue(request.Url.AbsolutePath, out var handler))
            {
                await handler(new ApiContext(context, body));
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away (a timeout test), or the handler aborted the connection on purpose.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: after Stop, .NET's managed listener looks its port up again to close and
        // binds it anew, which fails ("Address already in use") once another test process took it.
        listener.Close();
        await loop;
    }
}

/// <summary>One request being answered, with helpers for the tests' handlers.</summary>
internal sealed class ApiContext(HttpListenerContext context, string body)
{
    public HttpListenerRequest Request => context.Request;

    public HttpListenerResponse Response => context.Response;

    public string Body => body;

    public string? Query(string name) => context.Request.QueryString[name];

    public int QueryInt(string name, int fallback) =>
        int.TryParse(Query(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public string? Header(string name) => context.Request.Headers[name];

    public Task Json(string json, int status = 200) => Text(json, "application/json", status);

    public async Task Text(string text, string contentType, int status = 200)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Response.StatusCode = status;
        Response.ContentType = contentType;
        Response.ContentLength64 = bytes.Length;
        await Response.OutputStream.WriteAsync(bytes);
    }

    /// <summary>Sends the start of a body that claims to be longer, then drops the connection.</summary>
    public async Task DropMidBody(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Response.StatusCode = 200;
        Response.ContentType = "application/json";
        Response.ContentLength64 = bytes.Length;
        await Response.OutputStream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
        await Response.OutputStream.FlushAsync();
        Response.Abort();
    }
}
