using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Wharf.Projects;
using Wharf.Sources.Http;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// A folder on an FTP or FTPS server (<see cref="FtpSession"/>). One logged-in connection serves
/// the run; transient failures (refused or dropped connections, timeouts, 4xx replies) are retried
/// with backoff on a new connection, and a download always starts over, so a file is never read half.
/// </summary>
internal sealed partial class FtpLocation : IFileLocation
{
    private readonly FtpSettings settings;
    private readonly ResiliencePipeline retries;
    private readonly SemaphoreSlim gate = new(1, 1);
    private FtpSession? session;

    public FtpLocation(string connection, FtpSettings settings, TimeProvider time, ILogger? logger = null, int attempts = 4)
    {
        this.settings = settings;
        if (settings.SkipTlsVerify)
        {
            HttpLog.TlsVerificationOff(logger ?? NullLogger.Instance, connection);
        }

        if (settings.Tls == FtpTls.None && settings.Password is not null)
        {
            PasswordInClear(logger ?? NullLogger.Instance, connection);
        }

        retries = TransferRetries.Build(time, attempts, IsTransient, logger ?? NullLogger.Instance, Describe, Reason, beforeRetry: Drop);
    }

    public string Describe() => settings.Describe();

    public async IAsyncEnumerable<LocationEntry> ListAsync(string folder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var files = await CallAsync("list files", (ftp, token) => FolderWalk.FilesAsync(folder, recursive,
            async current => (await ftp.ListAsync(Remote(ftp, current), token))?.Select(item => Member(current, item)),
            () => new FtpReplyException($"CWD {Remote(ftp, "")}", new FtpReply(550, "no such folder"))), cancellationToken);
        foreach (var entry in files)
        {
            yield return entry;
        }
    }

    private static FolderMember Member(string folder, FtpItem item)
    {
        var path = folder.Length == 0 ? item.Name : folder + "/" + item.Name;
        return new FolderMember(path, item.IsFolder, item.IsFolder ? null : new LocationEntry(path, item.Size, item.Modified ?? DateTimeOffset.UnixEpoch, null));
    }

    public string? LocalPath(LocationEntry entry) => null;

    public Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        return CallAsync($"download {entry.Path}", async (ftp, token) =>
        {
            await WholeDownload.WriteAsync(entry, localPath, (target, t) => ftp.RetrieveAsync(Remote(ftp, entry.Path), target, t), " (or the file changed while it was read)", token);
            return true;
        }, cancellationToken);
    }

    public Task MoveAsync(LocationEntry entry, string targetPath, CancellationToken cancellationToken) =>
        CallAsync($"move {entry.Path} to {targetPath}", async (ftp, token) =>
        {
            var folder = "";
            foreach (var part in targetPath.Split('/')[..^1])
            {
                folder = folder.Length == 0 ? part : folder + "/" + part;
                await ftp.MakeFolderAsync(Remote(ftp, folder), token);
            }

            await ftp.RenameAsync(Remote(ftp, entry.Path), Remote(ftp, targetPath), token);
            return true;
        }, cancellationToken);

    public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken) =>
        CallAsync($"delete {entry.Path}", async (ftp, token) =>
        {
            await ftp.DeleteAsync(Remote(ftp, entry.Path), token);
            return true;
        }, cancellationToken);

    public Task<string> ProbeAsync(CancellationToken cancellationToken) =>
        CallAsync("open the folder", async (ftp, token) =>
        {
            var root = Remote(ftp, "");
            var items = await ftp.ListAsync(root, token) ?? throw new FtpReplyException($"CWD {root}", new FtpReply(550, "no such folder"));
            var tls = settings.Tls switch { FtpTls.Explicit => "explicit TLS", FtpTls.Implicit => "implicit TLS", _ => "no TLS" };
            return $"logged in to {settings.Host}:{settings.Port} as {settings.User} ({tls}); {root} holds {items.Count(i => !i.IsFolder):N0} files, {items.Count(i => i.IsFolder):N0} folders.";
        }, cancellationToken);

    public void Dispose()
    {
        Drop();
        gate.Dispose();
    }

    /// <summary>A path below the root on the server; the root is <c>path:</c>, or the folder the login lands in.</summary>
    private string Remote(FtpSession ftp, string relative)
    {
        var root = settings.RemotePath is null ? ftp.Home : settings.RemotePath.StartsWith('/') ? settings.RemotePath : $"{ftp.Home.TrimEnd('/')}/{settings.RemotePath}";
        return relative.Length == 0 ? root : $"{root.TrimEnd('/')}/{relative}";
    }

    private async Task<FtpSession> ConnectAsync(CancellationToken cancellationToken) =>
        session ??= await FtpSession.OpenAsync(settings, cancellationToken);

    private void Drop()
    {
        session?.Dispose();
        session = null;
    }

    /// <summary>One operation on the connection (one at a time), retried while it fails transiently; then a <see cref="LocationException"/> saying what failed.</summary>
    private async Task<T> CallAsync<T>(string what, Func<FtpSession, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await retries.ExecuteAsync(async token => await call(await ConnectAsync(token), token), cancellationToken);
        }
        catch (Exception ex) when (ex is FtpReplyException or SocketException or IOException or TimeoutException or AuthenticationException or ArgumentException)
        {
            if (ex is not FtpReplyException)
            {
                Drop(); // the connection's state is unknown; the next call logs in again
            }

            throw new LocationException($"{Describe()}: could not {what}: {Reason(ex)}.", IsTransient(ex), ex);
        }
        finally
        {
            gate.Release();
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        FtpReplyException reply => reply.Reply.Code is >= 400 and < 500,
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => false,
        AuthenticationException => false,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>What failed, in words a user can act on; never the password.</summary>
    private string Reason(Exception ex) => ex switch
    {
        FtpReplyException { Command: "login", Reply.Code: 530 } => settings.Password is null && settings.User == "anonymous"
            ? "the server refused an anonymous login (530); set 'user:' and 'password:'"
            : $"the server refused the login of {settings.User} (530); check 'user:' and 'password:'",
        FtpReplyException { Command: "AUTH TLS" } reply => $"the server does not offer TLS (AUTH TLS answered {reply.Reply.Code} {reply.Reply.Text.Trim()}); " +
            "if it speaks TLS from the first byte set 'tls: implicit', and only if plain FTP is acceptable, 'tls: none' (the password then travels in clear)",
        FtpReplyException { Command: "PROT P" } reply => $"the server will not encrypt data connections (PROT P answered {reply.Reply.Code} {reply.Reply.Text.Trim()})",
        FtpReplyException { Reply.Code: 522 } reply => $"the server refused the data connection's TLS ({reply.Command}: 522 {reply.Reply.Text.Trim()}); " +
            "the server wants the control connection's TLS session resumed on data connections (vsftpd's require_ssl_reuse), which .NET's TLS client does not do: ask its administrator to set require_ssl_reuse=NO",
        FtpReplyException { Reply.Code: 550 } reply => $"{PathOf(reply.Command)} does not exist on the server or {settings.User} may not use it (550 {reply.Reply.Text.Trim()}); check 'path:'",
        FtpReplyException { Reply.Code: 530 } reply => $"not logged in ({reply.Command}: 530 {reply.Reply.Text.Trim()})",
        FtpReplyException reply => $"the server answered {reply.Reply.Code} {reply.Reply.Text.Trim()} to {reply.Command}",
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => $"the host {settings.Host} was not found (DNS); check 'host:'",
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => $"{settings.Host}:{settings.Port} refused the connection; is the FTP server running, and 'port:' right?",
        TimeoutException timeout => $"{settings.Host}:{settings.Port} did not answer in time ({timeout.Message})",
        AuthenticationException tls => $"the TLS handshake failed ({tls.Message}){(settings.Tls == FtpTls.Implicit ? "; does the server want 'tls: explicit' (AUTH TLS, usually port 21)?" : "")}; " +
            "trust the server's certificate authority with 'tls: { ca_file: }'",
        _ => ex.Message,
    };

    /// <summary>The path of a command such as <c>RETR /out/a.csv</c>.</summary>
    private static string PathOf(string command) => command.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 ? command[(space + 1)..] : command;

    [LoggerMessage(1302, LogLevel.Warning, "Connection '{Connection}' uses plain FTP (tls: none): its password and files cross the network unencrypted.")]
    private static partial void PasswordInClear(ILogger logger, string connection);
}
