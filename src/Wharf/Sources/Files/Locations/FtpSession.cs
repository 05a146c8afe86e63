using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Wharf.Projects;

namespace Wharf.Sources.Files.Locations;

/// <summary>A reply of an FTP server: its three-digit code and its text (every line of a multi-line reply).</summary>
internal readonly record struct FtpReply(int Code, string Text);

/// <summary>An FTP command answered with a reply it did not want; <see cref="Command"/> is the verb and path, never a password.</summary>
internal sealed class FtpReplyException(string command, FtpReply reply) : Exception($"{command}: {reply.Code} {reply.Text}")
{
    public string Command { get; } = command;

    public FtpReply Reply { get; } = reply;
}

/// <summary>
/// One logged-in FTP control connection (RFC 959) with what .NET provides: a socket, and
/// <see cref="SslStream"/> for FTPS (RFC 4217: AUTH TLS, or implicit TLS; PBSZ 0 and PROT P so the
/// files travel encrypted too). Transfers are binary (TYPE I) over passive data connections (EPSV,
/// else PASV, whose address is ignored for the control connection's, as NAT'd servers get it wrong).
/// Folders are listed with MLSD where the server has it, else LIST with MDTM for exact times.
/// Every wait is bounded by a timeout; one command at a time.
/// </summary>
internal sealed partial class FtpSession : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly FtpSettings settings;
    private readonly RemoteCertificateValidationCallback? trust;
    private readonly TcpClient control;
    private readonly byte[] buffer = new byte[4096];
    private Stream stream;
    private int buffered;
    private int position;
    private bool passiveOnly;

    private FtpSession(FtpSettings settings, TcpClient control)
    {
        this.settings = settings;
        this.control = control;
        trust = TlsTrust.Callback(settings.CaFile, settings.SkipTlsVerify); // once: every data connection is a handshake
        stream = control.GetStream();
    }

    /// <summary>The folder the login landed in (PWD), where a connection without <c>path:</c> starts.</summary>
    public string Home { get; private set; } = "/";

    /// <summary>Whether the server lists folders with MLSD (RFC 3659), times to the second.</summary>
    public bool HasMlsd { get; private set; }

    /// <summary>Whether the server tells a file's modification time (MDTM).</summary>
    public bool HasMdtm { get; private set; }

    /// <summary>Connects, protects (TLS as <c>tls:</c> says), logs in and sets binary mode.</summary>
    public static async Task<FtpSession> OpenAsync(FtpSettings settings, CancellationToken cancellationToken)
    {
        var control = new TcpClient { NoDelay = true };
        FtpSession? session = null;
        try
        {
            await Bounded(token => control.ConnectAsync(settings.Host, settings.Port, token).AsTask(), cancellationToken);
            session = new FtpSession(settings, control);
            await session.LogInAsync(cancellationToken);
            return session;
        }
        catch
        {
            session?.Dispose();
            control.Dispose();
            throw;
        }
    }

    private async Task LogInAsync(CancellationToken cancellationToken)
    {
        if (settings.Tls == FtpTls.Implicit)
        {
            stream = await ProtectAsync(stream, cancellationToken);
        }

        var greeting = await ReadReplyAsync(cancellationToken);
        while (greeting.Code == 120)
        {
            greeting = await ReadReplyAsync(cancellationToken); // "ready in a few minutes"
        }

        Expect("connect", greeting, 220);
        if (settings.Tls == FtpTls.Explicit)
        {
            await CommandAsync("AUTH TLS", cancellationToken, 234);
            stream = await ProtectAsync(stream, cancellationToken);
        }

        var user = await SendAsync($"USER {settings.User}", "USER", cancellationToken);
        if (user.Code == 331)
        {
            user = await SendAsync($"PASS {settings.Password ?? (settings.User == "anonymous" ? "anonymous@" : "")}", "PASS", cancellationToken);
        }

        Expect("login", user, 230, 202);
        if (settings.Tls != FtpTls.None)
        {
            await CommandAsync("PBSZ 0", cancellationToken, 200);
            await CommandAsync("PROT P", cancellationToken, 200);
        }

        var features = await SendAsync("FEAT", "FEAT", cancellationToken);
        var featureLines = features.Code == 211 ? features.Text.Split('\n').Select(l => l.Trim().ToUpperInvariant()).ToList() : [];
        HasMlsd = featureLines.Any(f => f.StartsWith("MLST", StringComparison.Ordinal));
        HasMdtm = featureLines.Contains("MDTM");
        if (featureLines.Contains("UTF8"))
        {
            await SendAsync("OPTS UTF8 ON", "OPTS UTF8 ON", cancellationToken); // some servers say UTF-8 is always on, with any code
        }

        await CommandAsync("TYPE I", cancellationToken, 200);
        var pwd = await CommandAsync("PWD", cancellationToken, 257);
        Home = QuotedPath().Match(pwd.Text) is { Success: true } quoted ? quoted.Groups[1].Value.Replace("\"\"", "\"", StringComparison.Ordinal) : "/";
    }

    /// <summary>The members of a folder (not itself or its parent); null when it does not exist (or cannot be entered).</summary>
    public async Task<List<FtpItem>?> ListAsync(string folder, CancellationToken cancellationToken)
    {
        var items = new List<FtpItem>();
        if (HasMlsd)
        {
            if (!await ReadLinesAsync($"MLSD {folder}", line =>
            {
                if (FtpListing.ParseMlsd(line) is { } item)
                {
                    items.Add(item);
                }
            }, cancellationToken))
            {
                return null;
            }

            return items;
        }

        // LIST's argument is read as ls options by some servers: enter the folder and list it.
        var enter = await SendAsync($"CWD {folder}", "CWD", cancellationToken);
        if (enter.Code == 550)
        {
            return null;
        }

        Expect($"CWD {folder}", enter, 250);
        var now = DateTimeOffset.UtcNow;
        if (!await ReadLinesAsync("LIST", line =>
        {
            if (FtpListing.ParseList(line, now) is { } item)
            {
                items.Add(item);
            }
        }, cancellationToken))
        {
            return null;
        }

        if (!HasMdtm)
        {
            return items;
        }

        // LIST says the minute at best: MDTM gives the second a rewritten file's identity needs.
        for (var i = 0; i < items.Count; i++)
        {
            if (!items[i].IsFolder && await ModifiedAsync($"{folder.TrimEnd('/')}/{items[i].Name}", cancellationToken) is { } modified)
            {
                items[i] = items[i] with { Modified = modified };
            }
        }

        return items;
    }

    private async Task<DateTimeOffset?> ModifiedAsync(string path, CancellationToken cancellationToken)
    {
        var reply = await SendAsync($"MDTM {path}", "MDTM", cancellationToken);
        return reply.Code == 213 ? FtpListing.ParseTime(reply.Text) : null;
    }

    /// <summary>Copies a file into <paramref name="target"/> (RETR); the server's final reply must say the transfer completed.</summary>
    public async Task RetrieveAsync(string path, Stream target, CancellationToken cancellationToken)
    {
        using (var data = await OpenDataAsync($"RETR {path}", cancellationToken))
        {
            var chunk = new byte[81920];
            int read;
            while ((read = await Bounded(token => data.Stream.ReadAsync(chunk, token).AsTask(), cancellationToken)) > 0)
            {
                await target.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
            }
        }

        Expect($"RETR {path}", await ReadReplyAsync(cancellationToken), 226, 250);
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken) => CommandAsync($"DELE {path}", cancellationToken, 250);

    public async Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        await CommandAsync($"RNFR {from}", cancellationToken, 350);
        await CommandAsync($"RNTO {to}", cancellationToken, 250);
    }

    /// <summary>Makes a folder unless it is there already.</summary>
    public async Task MakeFolderAsync(string path, CancellationToken cancellationToken)
    {
        var made = await SendAsync($"MKD {path}", "MKD", cancellationToken);
        if (made.Code != 257 && (await SendAsync($"CWD {path}", "CWD", cancellationToken)).Code != 250)
        {
            Expect($"MKD {path}", made, 257);
        }
    }

    public void Dispose()
    {
        try
        {
            if (control.Connected)
            {
                stream.Write("QUIT\r\n"u8);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Leaving anyway.
        }

        stream.Dispose();
        control.Dispose();
    }

    /// <summary>A command whose reply must have one of the codes given.</summary>
    private async Task<FtpReply> CommandAsync(string command, CancellationToken cancellationToken, params int[] codes)
    {
        var reply = await SendAsync(command, command, cancellationToken);
        Expect(command, reply, codes);
        return reply;
    }

    /// <param name="shown">The command as errors may show it (without a password).</param>
    private async Task<FtpReply> SendAsync(string command, string shown, CancellationToken cancellationToken)
    {
        if (command.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"{shown}: an FTP command cannot hold a line break (a file name with one cannot be read over FTP).", nameof(command));
        }

        await Bounded(async token =>
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), token);
            await stream.FlushAsync(token);
        }, cancellationToken);
        return await ReadReplyAsync(cancellationToken);
    }

    private static void Expect(string command, FtpReply reply, params int[] codes)
    {
        if (Array.IndexOf(codes, reply.Code) < 0)
        {
            throw new FtpReplyException(command, reply);
        }
    }

    /// <summary>Runs a listing command; false when the server says the folder is not there (550).</summary>
    private async Task<bool> ReadLinesAsync(string command, Action<string> line, CancellationToken cancellationToken)
    {
        try
        {
            using var data = await OpenDataAsync(command, cancellationToken);
            using var reader = new StreamReader(data.Stream, new UTF8Encoding(false));
            while (await Bounded(token => reader.ReadLineAsync(token).AsTask(), cancellationToken) is { } text)
            {
                line(text);
            }
        }
        catch (FtpReplyException ex) when (ex.Reply.Code == 550)
        {
            return false;
        }

        Expect(command, await ReadReplyAsync(cancellationToken), 226, 250);
        return true;
    }

    /// <summary>A data connection carrying <paramref name="command"/>'s transfer, once the server said it starts (1xx).</summary>
    private async Task<DataConnection> OpenDataAsync(string command, CancellationToken cancellationToken)
    {
        var endpoint = await PassiveEndpointAsync(cancellationToken);
        var socket = new TcpClient { NoDelay = true };
        try
        {
            await Bounded(token => socket.ConnectAsync(endpoint, token).AsTask(), cancellationToken);
            var reply = await SendAsync(command, command, cancellationToken);
            Expect(command, reply, 125, 150);
            Stream data = settings.Tls == FtpTls.None ? socket.GetStream() : await ProtectAsync(socket.GetStream(), cancellationToken);
            return new DataConnection(socket, data);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<IPEndPoint> PassiveEndpointAsync(CancellationToken cancellationToken)
    {
        var host = ((IPEndPoint)control.Client.RemoteEndPoint!).Address;
        if (!passiveOnly)
        {
            var extended = await SendAsync("EPSV", "EPSV", cancellationToken);
            if (extended.Code == 229 && ExtendedPort().Match(extended.Text) is { Success: true } port)
            {
                return new IPEndPoint(host, int.Parse(port.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }

            passiveOnly = true; // not understood: PASV from now on
        }

        var passive = await CommandAsync("PASV", cancellationToken, 227);
        var parts = PassiveAddress().Match(passive.Text);
        if (!parts.Success)
        {
            throw new FtpReplyException("PASV", passive);
        }

        int Part(int i) => int.Parse(parts.Groups[i].Value, System.Globalization.CultureInfo.InvariantCulture);
        return new IPEndPoint(host, (Part(5) * 256) + Part(6));
    }

    private async Task<SslStream> ProtectAsync(Stream inner, CancellationToken cancellationToken)
    {
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await Bounded(token => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = settings.Host,
                RemoteCertificateValidationCallback = trust,
            }, token), cancellationToken);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    /// <summary>A whole reply: <c>123 text</c>, or <c>123-first</c> … <c>123 last</c>.</summary>
    private async Task<FtpReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var first = await ReadLineAsync(cancellationToken);
        if (first.Length < 3 || !int.TryParse(first.AsSpan(0, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            throw new IOException($"the server's answer is not FTP ('{Shorten(first)}'); is 'port:' an FTP server's{(settings.Tls == FtpTls.Implicit ? "" : ", and does it want 'tls: implicit'")}?");
        }

        if (first.Length < 4 || first[3] != '-')
        {
            return new FtpReply(code, first.Length > 4 ? first[4..] : "");
        }

        var text = new StringBuilder(first[4..]);
        var end = first[..3] + " ";
        string line;
        do
        {
            line = await ReadLineAsync(cancellationToken);
            text.Append('\n').Append(line.StartsWith(end, StringComparison.Ordinal) ? line[4..] : line);
        }
        while (!line.StartsWith(end, StringComparison.Ordinal));
        return new FtpReply(code, text.ToString());
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        while (true)
        {
            if (position == buffered)
            {
                buffered = await Bounded(token => stream.ReadAsync(buffer, token).AsTask(), cancellationToken);
                position = 0;
                if (buffered == 0)
                {
                    throw new IOException("the server closed the connection");
                }
            }

            var newline = Array.IndexOf(buffer, (byte)'\n', position, buffered - position);
            var end = newline < 0 ? buffered : newline;
            line.AddRange(buffer.AsSpan(position, end - position));
            position = newline < 0 ? buffered : newline + 1;
            if (newline >= 0)
            {
                return Encoding.UTF8.GetString([.. line]).TrimEnd('\r');
            }

            if (line.Count > 64 * 1024)
            {
                throw new IOException("the server sent a line of more than 64 KiB: it is not speaking FTP");
            }
        }
    }

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;

    /// <summary>An operation that must finish within <see cref="Timeout"/>; a <see cref="TimeoutException"/> when not.</summary>
    private static async Task Bounded(Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        await Bounded(async token =>
        {
            await operation(token);
            return true;
        }, cancellationToken);

    private static async Task<T> Bounded<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        try
        {
            return await operation(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {Timeout.TotalSeconds:0} s");
        }
    }

    [GeneratedRegex(@"""((?:[^""]|"""")*)""")]
    private static partial Regex QuotedPath();

    [GeneratedRegex(@"\(\|\|\|(\d+)\|\)")]
    private static partial Regex ExtendedPort();

    [GeneratedRegex(@"(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+)")]
    private static partial Regex PassiveAddress();

    /// <summary>A passive data connection: its socket and the stream over it (TLS or not).</summary>
    private sealed class DataConnection(TcpClient socket, Stream stream) : IDisposable
    {
        public Stream Stream => stream;

        public void Dispose()
        {
            stream.Dispose();
            socket.Dispose();
        }
    }
}
