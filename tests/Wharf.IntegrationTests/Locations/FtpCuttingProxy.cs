using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// A TCP proxy in front of a plain FTP server that breaks downloads as a bad network would: it
/// relays the control connection, puts a relay of its own in every passive reply (EPSV), and the
/// data connection of a RETR naming <paramref name="marker"/> is closed a few bytes in, the first
/// <paramref name="cuts"/> times. Everything else passes through untouched.
/// </summary>
internal sealed partial class FtpCuttingProxy(int serverPort, string marker, int cuts) : TcpRelayProxy
{
    private const int BytesLet = 64;

    private int cutsLeft = cuts;
    private int cut;

    /// <summary>How many transfers were cut.</summary>
    public int Cut => Volatile.Read(ref cut);

    protected override Task RelayAsync(TcpClient client) => RelayControlAsync(client);

    private async Task RelayControlAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        await server.ConnectAsync(IPAddress.Loopback, serverPort, Stop.Token);
        var session = new Session();
        var up = LinesAsync(client.GetStream(), server.GetStream(), line =>
        {
            session.CutNext = line.StartsWith("RETR ", StringComparison.Ordinal) && line.Contains(marker, StringComparison.Ordinal) && Interlocked.Decrement(ref cutsLeft) >= 0;
            return Task.FromResult(line);
        });
        var down = LinesAsync(server.GetStream(), client.GetStream(), async line =>
            ExtendedPassive().Match(line) is { Success: true } passive ? $"229 Entering Extended Passive Mode (|||{await RelayDataAsync(int.Parse(passive.Groups[1].Value), session)}|)" : line);
        await Task.WhenAny(up, down);
    }

    private sealed class Session
    {
        public volatile bool CutNext;
    }

    /// <summary>Relays line by line, each line as <paramref name="rewrite"/> gives it back.</summary>
    private async Task LinesAsync(NetworkStream from, NetworkStream to, Func<string, Task<string>> rewrite)
    {
        using var reader = new StreamReader(from, Encoding.UTF8);
        while (await reader.ReadLineAsync(Stop.Token) is { } line)
        {
            await to.WriteAsync(Encoding.UTF8.GetBytes(await rewrite(line) + "\r\n"), Stop.Token);
        }
    }

    /// <summary>A one-connection relay to the server's data port; its own port.</summary>
    private async Task<int> RelayDataAsync(int port, Session session)
    {
        var data = new TcpListener(IPAddress.Loopback, 0);
        data.Start();
        _ = Task.Run(async () =>
        {
            try
            {
                using var client = await data.AcceptTcpClientAsync(Stop.Token);
                using var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, port, Stop.Token);
                var up = client.GetStream().CopyToAsync(server.GetStream(), Stop.Token);
                var down = DownAsync(server.GetStream(), client.GetStream(), session);
                await Task.WhenAny(up, down);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side went.
            }
            finally
            {
                data.Stop();
            }
        });
        return ((IPEndPoint)data.LocalEndpoint).Port;
    }

    /// <summary>Server to client. The client connects before it sends RETR, so whether to cut is known at the first byte.</summary>
    private async Task DownAsync(NetworkStream from, NetworkStream to, Session session)
    {
        var buffer = new byte[16384];
        var sent = 0;
        bool? cutting = null;
        int read;
        while ((read = await from.ReadAsync(buffer, Stop.Token)) > 0)
        {
            if (cutting is null)
            {
                cutting = session.CutNext;
                session.CutNext = false;
            }

            if (cutting == true && sent + read >= BytesLet)
            {
                await to.WriteAsync(buffer.AsMemory(0, BytesLet - sent), Stop.Token);
                Interlocked.Increment(ref cut);
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), Stop.Token);
            sent += read;
        }
    }

    [GeneratedRegex(@"^229 .*\(\|\|\|(\d+)\|\)")]
    private static partial Regex ExtendedPassive();
}
