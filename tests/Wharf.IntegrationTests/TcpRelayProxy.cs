using System.Net;
using System.Net.Sockets;

namespace Wharf.IntegrationTests;

/// <summary>
/// A TCP proxy on 127.0.0.1 that relays each connection it accepts to a server, as the subclass
/// decides (the fault tests' proxies break transfers and commits as a bad network would).
/// </summary>
internal abstract class TcpRelayProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Task accepting;

    protected TcpRelayProxy()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the proxy is disposed: every relay ends.</summary>
    protected CancellationTokenSource Stop { get; } = new();

    /// <summary>Relays one accepted client (disposing it at the end); the network errors of a relay that ends are its own.</summary>
    protected abstract Task RelayAsync(TcpClient client);

    private async Task AcceptAsync()
    {
        while (!Stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(Stop.Token);
            }
            catch (Exception) when (Stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await RelayAsync(client);
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // A relay ends when either side goes: that is all a broken network does.
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync();
        listener.Stop();
        await accepting;
        Stop.Dispose();
    }
}
