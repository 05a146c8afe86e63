using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// A TCP proxy in front of the S3 server that breaks transfers as a bad network would: the
/// response to a request naming <paramref name="marker"/> is cut a few bytes into its body, the
/// first <paramref name="cuts"/> times (every time with <see cref="int.MaxValue"/>). Everything
/// else passes through untouched.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private const int BodyBytesLet = 64;

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Uri target;
    private readonly byte[] marker;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int cutsLeft;
    private int cut;

    public CuttingProxy(string targetEndpoint, string marker, int cuts)
    {
        target = new Uri(targetEndpoint);
        this.marker = Encoding.ASCII.GetBytes(marker);
        cutsLeft = cuts;
        listener.Start();
        accepting = AcceptAsync();
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

    /// <summary>How many transfers were cut.</summary>
    public int Cut => Volatile.Read(ref cut);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(target.Host, target.Port, stop.Token);
            var armed = new StrongBox();
            var up = UpAsync(client.GetStream(), server.GetStream(), armed);
            var down = DownAsync(server.GetStream(), client.GetStream(), armed);
            await Task.WhenAny(up, down);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A relay ends when either side goes: that is all a broken network does.
        }
    }

    private sealed class StrongBox
    {
        public volatile bool Armed;
    }

    /// <summary>Client to server; arms the cut when a request names the marker.</summary>
    private async Task UpAsync(NetworkStream from, NetworkStream to, StrongBox box)
    {
        var buffer = new byte[16384];
        int read;
        while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
        {
            if (buffer.AsSpan(0, read).IndexOf(marker) >= 0 && Interlocked.Decrement(ref cutsLeft) >= 0)
            {
                box.Armed = true;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
        }
    }

    /// <summary>Server to client; once armed, lets the headers and a few bytes of the body through, then closes.</summary>
    private async Task DownAsync(NetworkStream from, NetworkStream to, StrongBox box)
    {
        var buffer = new byte[16384];
        var held = new MemoryStream();
        int read;
        while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
        {
            if (!box.Armed)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
                continue;
            }

            held.Write(buffer, 0, read);
            var bytes = held.ToArray();
            var headersEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
            if (headersEnd >= 0 && bytes.Length >= headersEnd + 4 + BodyBytesLet)
            {
                await to.WriteAsync(bytes.AsMemory(0, headersEnd + 4 + BodyBytesLet), stop.Token);
                await to.FlushAsync(stop.Token);
                Interlocked.Increment(ref cut);
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
