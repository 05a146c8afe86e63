using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Renci.SshNet;
using Renci.SshNet.Common;
using Wharf.Projects;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// A folder on an SFTP server (SSH.NET), logged into with a password or a private key once the
/// host key is verified (<see cref="HostKeyCheck"/>). One connection serves the run; transient
/// failures (refused or dropped connections, timeouts) are retried with backoff, reconnecting, and
/// a download always starts over, so a file is never read half.
/// </summary>
internal sealed class SftpLocation : IFileLocation
{
    private readonly SftpSettings settings;
    private readonly HostKeyCheck hostKeys;
    private readonly ResiliencePipeline retries;
    private readonly SemaphoreSlim gate = new(1, 1);
    private SftpClient? client;

    public SftpLocation(SftpSettings settings, TimeProvider time, ILogger? logger = null, int attempts = 4)
    {
        this.settings = settings;
        hostKeys = new HostKeyCheck(settings);
        retries = TransferRetries.Build(time, attempts, IsTransient, logger ?? NullLogger.Instance, Describe, Reason, beforeRetry: Drop);
    }

    public string Describe() => settings.Describe();

    public async IAsyncEnumerable<LocationEntry> ListAsync(string folder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var entries = await CallAsync("list files", async (sftp, token) =>
        {
            var found = new List<LocationEntry>();
            await ListIntoAsync(sftp, folder, recursive, found, token);
            return found;
        }, cancellationToken);
        foreach (var entry in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            yield return entry;
        }
    }

    private async Task ListIntoAsync(SftpClient sftp, string folder, bool recursive, List<LocationEntry> found, CancellationToken cancellationToken)
    {
        IAsyncEnumerable<Renci.SshNet.Sftp.ISftpFile> items;
        try
        {
            items = sftp.ListDirectoryAsync(Remote(folder), cancellationToken);
            await foreach (var item in items)
            {
                var relative = folder.Length == 0 ? item.Name : folder + "/" + item.Name;
                if (item.IsDirectory && recursive && item.Name is not ("." or ".."))
                {
                    await ListIntoAsync(sftp, relative, recursive, found, cancellationToken);
                }
                else if (item.IsRegularFile)
                {
                    found.Add(new LocationEntry(relative, item.Length, new DateTimeOffset(DateTime.SpecifyKind(item.LastWriteTimeUtc, DateTimeKind.Utc)), null));
                }
            }
        }
        catch (SftpPathNotFoundException) when (folder.Length > 0)
        {
            // A folder a glob names that is not there: no files (the glob says so).
        }
    }

    public string? LocalPath(LocationEntry entry) => null;

    public Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        return CallAsync($"download {entry.Path}", async (sftp, token) =>
        {
            await WholeDownload.WriteAsync(entry, localPath, (target, t) => sftp.DownloadFileAsync(Remote(entry.Path), target, t), " (or the file changed while it was read)", token);
            return true;
        }, cancellationToken);
    }

    public Task MoveAsync(LocationEntry entry, string targetPath, CancellationToken cancellationToken) =>
        CallAsync($"move {entry.Path} to {targetPath}", async (sftp, token) =>
        {
            var folder = "";
            foreach (var part in targetPath.Split('/')[..^1])
            {
                folder = folder.Length == 0 ? part : folder + "/" + part;
                if (!await sftp.ExistsAsync(Remote(folder), token))
                {
                    await sftp.CreateDirectoryAsync(Remote(folder), token);
                }
            }

            await sftp.RenameFileAsync(Remote(entry.Path), Remote(targetPath), token);
            return true;
        }, cancellationToken);

    public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken) =>
        CallAsync($"delete {entry.Path}", async (sftp, token) =>
        {
            await sftp.DeleteFileAsync(Remote(entry.Path), token);
            return true;
        }, cancellationToken);

    public Task<string> ProbeAsync(CancellationToken cancellationToken) =>
        CallAsync("open the folder", async (sftp, token) =>
        {
            var count = 0;
            await foreach (var item in sftp.ListDirectoryAsync(Remote(""), token))
            {
                count += item.IsRegularFile ? 1 : 0;
            }

            return $"logged in to {settings.Host}:{settings.Port} as {settings.User}, host key verified; {Remote("")} holds {count:N0} files.";
        }, cancellationToken);

    public void Dispose()
    {
        Drop();
        gate.Dispose();
    }

    private string Remote(string relative) => relative.Length == 0 ? settings.RemotePath : $"{settings.RemotePath.TrimEnd('/')}/{relative}";

    /// <summary>The connection, made (and the host key checked) on first use and after a failure.</summary>
    private async Task<SftpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        if (client is { IsConnected: true })
        {
            return client;
        }

        Drop();
        var methods = new List<AuthenticationMethod>();
        if (settings.PrivateKey is { } key)
        {
            if (!File.Exists(key))
            {
                throw new LocationException($"{Describe()}: the private key file {key} does not exist.", transient: false);
            }

            methods.Add(new PrivateKeyAuthenticationMethod(settings.User, new PrivateKeyFile(key, settings.Passphrase)));
        }

        if (settings.Password is { } password)
        {
            methods.Add(new PasswordAuthenticationMethod(settings.User, password));
        }

        var sftp = new SftpClient(new ConnectionInfo(settings.Host, settings.Port, settings.User, [.. methods]) { Timeout = TimeSpan.FromSeconds(30) });
        sftp.HostKeyReceived += (_, e) => e.CanTrust = hostKeys.Accept(e.HostKey, e.FingerPrintSHA256);
        try
        {
            await sftp.ConnectAsync(cancellationToken);
        }
        catch
        {
            sftp.Dispose();
            throw;
        }

        client = sftp;
        return sftp;
    }

    private void Drop()
    {
        client?.Dispose();
        client = null;
    }

    /// <summary>One operation on the connection (one at a time), retried while it fails transiently; then a <see cref="LocationException"/> saying what failed.</summary>
    private async Task<T> CallAsync<T>(string what, Func<SftpClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await retries.ExecuteAsync(async token => await call(await ConnectAsync(token), token), cancellationToken);
        }
        catch (Exception ex) when (ex is SshException or SocketException or IOException or TimeoutException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new LocationException($"{Describe()}: could not {what}: {Reason(ex)}.", IsTransient(ex), ex);
        }
        finally
        {
            gate.Release();
        }
    }

    private bool IsTransient(Exception ex) => ex switch
    {
        _ when hostKeys.Problem is not null => false,
        SshAuthenticationException or SftpPathNotFoundException or SftpPermissionDeniedException or SshPassPhraseNullOrEmptyException => false,
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => false,
        SocketException or SshConnectionException or SshOperationTimeoutException or IOException or TimeoutException => true,
        _ => false,
    };

    /// <summary>What failed, in words a user can act on; never the password or the key.</summary>
    private string Reason(Exception ex) => ex switch
    {
        _ when hostKeys.Problem is { } problem => problem,
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => $"the host {settings.Host} was not found (DNS); check 'host:'",
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => $"{settings.Host}:{settings.Port} refused the connection; is the SSH server running, and 'port:' right?",
        SocketException { SocketErrorCode: SocketError.TimedOut } or SshOperationTimeoutException => $"{settings.Host}:{settings.Port} did not answer in time",
        SshAuthenticationException => $"the server refused the login of {settings.User} ({(settings.PrivateKey is null ? "password" : "private key")}); check 'user:', and the {(settings.PrivateKey is null ? "password" : "key and its passphrase")}",
        SshPassPhraseNullOrEmptyException => "the private key is encrypted: set 'passphrase:'",
        SftpPathNotFoundException => $"{settings.RemotePath} (or a file in it) does not exist on the server; check 'path:'",
        SftpPermissionDeniedException => $"permission denied: {settings.User} may not do this in {settings.RemotePath}",
        _ => ex.Message,
    };
}
