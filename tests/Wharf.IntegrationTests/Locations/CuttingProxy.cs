using System.Net.Sockets;
using System.Text;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// A TCP proxy in front of the S3 server that breaks transfers as a bad network would: the
/// response to a request naming <paramref name="marker"/> is cut a few bytes into its body, the
/// first <paramref name="cuts"/> times (every time with <see cref="int.MaxValue"/>). Everything
/// else passes through untouched.
/// </summary>
internal sealed class CuttingProxy(string targetEndpoint, string marker, int cuts) : TcpRelayProxy
{
    private const int BodyBytesLet = 64;

    private readonly Uri target = new(targetEndpoint);
    private readonly byte[] marker = Encoding.ASCII.GetBytes(marker);
    private int cutsLeft = cuts;
    private int cut;

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>How many transfers were cut.</summary>
    public int Cut => Volatile.Read(ref cut);

    protected override async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        await server.ConnectAsync(target.Host, target.Port, Stop.Token);
        var armed = new StrongBox();
        var up = UpAsync(client.GetStream(), server.GetStream(), armed);
        var down = DownAsync(server.GetStream(), client.GetStream(), armed);
        await Task.WhenAny(up, down);
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
        while ((read = await from.ReadAsync(buffer, Stop.Token)) > 0)
        {
            if (buffer.AsSpan(0, read).IndexOf(marker) >= 0 && Interlocked.Decrement(ref cutsLeft) >= 0)
            {
                box.Armed = true;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), Stop.Token);
        }
    }

    /// <summary>Server to client; once armed, lets the headers and a few bytes of the body through, then closes.</summary>
    private async Task DownAsync(NetworkStream from, NetworkStream to, StrongBox box)
    {
        var buffer = new byte[16384];
        var held = new MemoryStream();
        int read;
        while ((read = await from.ReadAsync(buffer, Stop.Token)) > 0)
        {
            if (!box.Armed)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), Stop.Token);
                continue;
            }

            held.Write(buffer, 0, read);
            var bytes = held.ToArray();
            var headersEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
            if (headersEnd >= 0 && bytes.Length >= headersEnd + 4 + BodyBytesLet)
            {
                await to.WriteAsync(bytes.AsMemory(0, headersEnd + 4 + BodyBytesLet), Stop.Token);
                await to.FlushAsync(Stop.Token);
                Interlocked.Increment(ref cut);
                return;
            }
        }
    }
}
