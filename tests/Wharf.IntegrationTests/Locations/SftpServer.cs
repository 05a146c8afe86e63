using Renci.SshNet;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// The SFTP server the location tests run against: the OpenSSH sshd that scripts/test.sh starts
/// (scripts/sshd.sh), described by the <c>WHARF_TEST_SFTP_*</c> variables: its host and port, the
/// one user that may log in, that user's private key, a known_hosts file with the server's key,
/// and a folder the user may write. Without them the tests fail under <c>CI=true</c> and are
/// skipped elsewhere. Each test gets a folder of its own, filled through SFTP as the user.
/// </summary>
public sealed class SftpServer
{
    private const string MissingMessage =
        "WHARF_TEST_SFTP_HOST is not set: run the tests through ./scripts/test.sh, which starts sshd " +
        "(or start one with `eval \"$(scripts/sshd.sh start)\"`)";

    public string Host { get; } = Variable("HOST");

    public int Port { get; } = int.TryParse(Variable("PORT"), out var port) ? port : 0;

    public string User { get; } = Variable("USER");

    public string Key { get; } = Variable("KEY");

    public string KnownHosts { get; } = Variable("KNOWN_HOSTS");

    public string Root { get; } = Variable("ROOT");

    /// <summary>The user's password: sshd checks passwords only when scripts/sshd.sh started it as root (as CI does).</summary>
    public string Password { get; } = Variable("PASSWORD");

    private static string Variable(string name) => Environment.GetEnvironmentVariable("WHARF_TEST_SFTP_" + name) ?? "";

    /// <summary>Stops the test unless the server is there: failed under CI=true, skipped elsewhere.</summary>
    public void Require()
    {
        if (Host.Length > 0)
        {
            return;
        }

        throw TestServers.Missing(MissingMessage, "SFTP");
    }

    /// <summary>Stops the test unless the server takes passwords: failed under CI=true, skipped elsewhere.</summary>
    public void RequirePassword()
    {
        Require();
        if (Password.Length == 0)
        {
            throw TestServers.Missing("WHARF_TEST_SFTP_PASSWORD is not set: scripts/sshd.sh checks passwords only when started as root", "SFTP password");
        }
    }

    /// <summary>A new folder of the test's own on the server; its path there.</summary>
    public async Task<string> CreateFolderAsync()
    {
        Require();
        var folder = $"{Root}/t-{Guid.NewGuid():N}";
        using var sftp = await ConnectAsync();
        await sftp.CreateDirectoryAsync(folder, TestContext.Current.CancellationToken);
        return folder;
    }

    /// <summary>Writes a file on the server (folders made as needed), as the server's user.</summary>
    public async Task PutAsync(string path, string text)
    {
        using var sftp = await ConnectAsync();
        var parts = path.Split('/');
        for (var i = 2; i < parts.Length; i++)
        {
            var folder = string.Join('/', parts[..i]);
            if (folder.Length > Root.Length && !await sftp.ExistsAsync(folder, TestContext.Current.CancellationToken))
            {
                await sftp.CreateDirectoryAsync(folder, TestContext.Current.CancellationToken);
            }
        }

        await sftp.UploadFileAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), path, TestContext.Current.CancellationToken);
    }

    /// <summary>Every file below a folder, relative to it, in order.</summary>
    public async Task<List<string>> FilesAsync(string folder)
    {
        using var sftp = await ConnectAsync();
        var files = new List<string>();
        async Task WalkAsync(string relative)
        {
            await foreach (var item in sftp.ListDirectoryAsync(relative.Length == 0 ? folder : $"{folder}/{relative}", TestContext.Current.CancellationToken))
            {
                var path = relative.Length == 0 ? item.Name : $"{relative}/{item.Name}";
                if (item.IsDirectory && item.Name is not ("." or ".."))
                {
                    await WalkAsync(path);
                }
                else if (item.IsRegularFile)
                {
                    files.Add(path);
                }
            }
        }

        await WalkAsync("");
        return [.. files.Order(StringComparer.Ordinal)];
    }

    private async Task<SftpClient> ConnectAsync()
    {
        var sftp = new SftpClient(new ConnectionInfo(Host, Port, User, new PrivateKeyAuthenticationMethod(User, new PrivateKeyFile(Key))));
        await sftp.ConnectAsync(TestContext.Current.CancellationToken);
        return sftp;
    }
}
