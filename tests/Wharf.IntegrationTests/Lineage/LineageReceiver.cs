using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Wharf.IntegrationTests.Lineage;

/// <summary>A real HTTP endpoint on 127.0.0.1 that takes OpenLineage events as Marquez does (POST /api/v1/lineage) and keeps them.</summary>
internal sealed class LineageReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;

    public LineageReceiver()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        listener.Prefixes.Add(Url + "/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<JsonNode> Events { get; } = new();

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            if (context.Request.HttpMethod == "POST" && context.Request.Url!.AbsolutePath == "/api/v1/lineage")
            {
                Events.Enqueue(JsonNode.Parse(body)!);
                Authorizations.Enqueue(context.Request.Headers["Authorization"]);
                context.Response.StatusCode = 201;
            }
            else
            {
                context.Response.StatusCode = 404;
            }

            context.Response.Close();
        }
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        listener.Close();
        loop.Wait(TimeSpan.FromSeconds(5));
    }
}
