namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// The FTP server the location tests run against: vsftpd that scripts/test.sh starts
/// (scripts/ftp.sh), listeners with explicit TLS offered, with implicit TLS, without TLS and with
/// TLS session reuse required, described by
/// <c>WHARF_TEST_FTP_*</c>. Without them the tests fail under <c>CI=true</c> and are skipped
/// elsewhere. Each test gets a folder of its own in the served folder, written on disk with modes
/// that let the server's session user rename and delete in it.
/// </summary>
public sealed class FtpServer
{
    private const string MissingMessage =
        "WHARF_TEST_FTP_PORT is not set: run the tests through ./scripts/test.sh, which starts vsftpd " +
        "(or start one with `eval \"$(scripts/ftp.sh start)\"`, as root)";

    private const UnixFileMode Everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    public int Port { get; } = int.TryParse(Variable("PORT"), out var port) ? port : 0;

    public int ImplicitPort { get; } = int.TryParse(Variable("IMPLICIT_PORT"), out var port) ? port : 0;

    /// <summary>A listener that offers no TLS at all.</summary>
    public int NoTlsPort { get; } = int.TryParse(Variable("NO_TLS_PORT"), out var port) ? port : 0;

    /// <summary>A listener with vsftpd's default <c>require_ssl_reuse=YES</c>.</summary>
    public int ReusePort { get; } = int.TryParse(Variable("REUSE_PORT"), out var port) ? port : 0;

    public string User { get; } = Variable("USER");

    public string Password { get; } = Variable("PASSWORD");

    /// <summary>The server's self-signed certificate (PEM), for <c>tls: { ca_file: }</c>.</summary>
    public string CaFile { get; } = Variable("CA");

    private string Files { get; } = Path.Combine(Variable("DIR"), "files");

    private static string Variable(string name) => Environment.GetEnvironmentVariable("WHARF_TEST_FTP_" + name) ?? "";

    /// <summary>Stops the test unless the server is there: failed under CI=true, skipped elsewhere.</summary>
    public void Require()
    {
        if (Port > 0)
        {
            return;
        }

        throw TestServers.Missing(MissingMessage, "FTP");
    }

    /// <summary>A new folder of the test's own (its path on the server, which is also its name below the served folder).</summary>
    public string CreateFolder()
    {
        Require();
        var folder = $"t-{Guid.NewGuid():N}";
        MakeFolders(folder);
        return folder;
    }

    /// <summary>Writes a file (folders made as needed) below the served folder.</summary>
    public void Put(string path, string text)
    {
        var full = Path.Combine(Files, path);
        MakeFolders(Path.GetDirectoryName(path)!);
        File.WriteAllText(full, text);
        OpenToEveryone(full, Everyone);
    }

    /// <summary>Every file below a folder, relative to it, in order.</summary>
    public List<string> FilesIn(string folder) =>
        [.. Directory.EnumerateFiles(Path.Combine(Files, folder), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Files, folder), f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    private void MakeFolders(string relative)
    {
        var current = Files;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (!Directory.Exists(current))
            {
                Directory.CreateDirectory(current);
                OpenToEveryone(current, Everyone | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }
    }

    /// <summary>The server's session user is not the test's: it may rename and delete here.</summary>
    private static void OpenToEveryone(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
