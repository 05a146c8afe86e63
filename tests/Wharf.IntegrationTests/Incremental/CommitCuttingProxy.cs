using System.Net;
using System.Net.Sockets;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// A TCP proxy in front of a PostgreSQL server that drops the network during a commit, the way a
/// client can never tell apart from a server that died: the <paramref name="nth"/> COMMIT a
/// client sends (a simple or extended-protocol query that is exactly <c>COMMIT</c>) is passed to
/// the server, which commits, but its answer never comes back: the client's connection is cut.
/// With <paramref name="commitReaches"/> false the COMMIT itself is lost instead (the transaction
/// rolls back). Everything else passes through untouched.
/// </summary>
internal sealed class CommitCuttingProxy(int serverPort, int nth, bool commitReaches) : TcpRelayProxy
{
    private static readonly byte[] Commit = "COMMIT\0"u8.ToArray();

    private int commitsLeft = nth;
    private int cut;

    /// <summary>How many commits were cut (0 or 1).</summary>
    public int Cut => Volatile.Read(ref cut);

    protected override async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient { NoDelay = true };
        using var cutting = CancellationTokenSource.CreateLinkedTokenSource(Stop.Token);
        await server.ConnectAsync(IPAddress.Loopback, serverPort, Stop.Token);
        var up = UpAsync(client, server, cutting);
        var down = server.GetStream().CopyToAsync(client.GetStream(), cutting.Token);
        await Task.WhenAny(up, down);
        if (cutting.IsCancellationRequested)
        {
            await up; // the cut is under way: let it pass the COMMIT on before the sockets go
        }
    }

    /// <summary>Client to server; at the chosen COMMIT, stops relaying answers and closes both sides.</summary>
    private async Task UpAsync(TcpClient client, TcpClient server, CancellationTokenSource cutting)
    {
        var buffer = new byte[65536];
        int read;
        while ((read = await client.GetStream().ReadAsync(buffer, Stop.Token)) > 0)
        {
            if (IsCommit(buffer.AsSpan(0, read)) && Interlocked.Decrement(ref commitsLeft) == 0)
            {
                await cutting.CancelAsync(); // no answer reaches the client from now on
                if (commitReaches)
                {
                    await server.GetStream().WriteAsync(buffer.AsMemory(0, read), Stop.Token);
                    await Task.Delay(500, Stop.Token); // the server reads and commits before the connection goes
                }

                Interlocked.Increment(ref cut);
                client.Client.Close();
                server.Client.Close();
                return;
            }

            await server.GetStream().WriteAsync(buffer.AsMemory(0, read), Stop.Token);
        }
    }

    /// <summary>Whether the bytes hold a query that is exactly COMMIT: after a Query message's length (11) or a Parse message's statement name.</summary>
    private static bool IsCommit(ReadOnlySpan<byte> bytes)
    {
        for (var at = bytes.IndexOf(Commit); at >= 1; at = bytes[(at + 1)..].IndexOf(Commit) is var next and >= 0 ? at + 1 + next : -1)
        {
            if (bytes[at - 1] is 0x0B or 0x00)
            {
                return true;
            }
        }

        return false;
    }
}
