using System.Diagnostics;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Quality;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// Files on an SFTP server (a throwaway OpenSSH sshd): globs over nested folders, new files only
/// across runs, after_load, a password login, and what must stop a connection: a wrong or unknown
/// host key, a wrong key or password for the user, a missing folder; each said plainly, never with a secret.
/// </summary>
public sealed class SftpLocationTests(PostgresServer postgres, SftpServer sftp)
{
    private sealed class Project(IncrementalProject project, SftpServer sftp, string folder) : LocationProject(project)
    {
        public string Folder => folder;

        public Task PutAsync(string path, string text) => sftp.PutAsync($"{folder}/{path}", text);

        public Project Pipelines(string pipelines, string? keys = null, string? path = null)
        {
            keys ??= $"private_key: \"{sftp.Key}\", known_hosts: \"{sftp.KnownHosts}\"";
            Write("drop", $"{{ type: sftp, host: {sftp.Host}, port: {sftp.Port}, user: {sftp.User}, {keys}, path: \"{path ?? folder}\" }}", pipelines);
            return this;
        }
    }

    private async Task<Project> CreateAsync(WarehouseUnderTest kind = WarehouseUnderTest.DuckDb)
    {
        sftp.Require();
        var folder = await sftp.CreateFolderAsync();
        return new Project(await IncrementalProject.CreateAsync(postgres, kind, "select 1"), sftp, folder);
    }

    [Fact]
    public async Task Globs_OverNestedFolders_LoadFromTheServer()
    {
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id,name\n1,a\n");
        await project.PutAsync("2026/01/b.csv", "id,name\n2,b\n");
        await project.PutAsync("2026/02/c.csv", "id,name\n3,c\n");
        await project.PutAsync("2026/02/c.txt", "not data");
        project.Pipelines("""
            top: { source: drop, files: "*.csv" }
            nested: { source: drop, files: "2026/**/*.csv" }
            """);

        await project.RunOkAsync();

        (await project.RowsAsync("select id from main.top")).ShouldBe(["1"]);
        (await project.RowsAsync("select id, name from main.nested order by id")).ShouldBe(["2 | b", "3 | c"]);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task NewFilesOnly_AndAfterLoad_AcrossRuns(WarehouseUnderTest warehouse)
    {
        using var project = await CreateAsync(warehouse);
        await project.PutAsync("in/a.csv", "id\n1\n2\n");
        project.Pipelines("""
            orders:
              source: drop
              files: "in/*.csv"
              incremental: files
              after_load: { move_to: done }
            """);

        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(2);
        (await sftp.FilesAsync(project.Folder)).ShouldBe(["done/in/a.csv"]);

        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(0);
        await project.PutAsync("in/b.csv", "id\n3\n");
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(1);
        (await project.RowsAsync("select id from main.orders order by id")).ShouldBe(["1", "2", "3"]);
        (await sftp.FilesAsync(project.Folder)).ShouldBe(["done/in/a.csv", "done/in/b.csv"]);
    }

    [Fact]
    public async Task APinnedFingerprint_IsAccepted_AndTestConnectionSaysSo()
    {
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id\n1\n");
        project.Pipelines("""
            orders: { source: drop, files: "*.csv" }
            """, keys: $"private_key: \"{sftp.Key}\", host_key_fingerprint: \"{Fingerprint(sftp.KnownHosts)}\"");

        var test = await project.CliAsync("test-connection", "drop");

        test.ExitCode.ShouldBe(0, test.ToString());
        test.Output.ShouldContain($"ok: drop: logged in to {sftp.Host}:{sftp.Port} as {sftp.User}, host key verified; {project.Folder} holds 1 files.");
        var discover = await project.CliAsync("discover", "drop", "--format", "json");
        discover.Output.ShouldContain("\"path\": \"a.csv\"");
    }

    [Fact]
    public async Task APassword_LogsIn_AndAWrongOne_IsSaidPlainly_WithoutShowingIt()
    {
        sftp.RequirePassword();
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id\n1\n2\n");
        project.Pipelines("""
            orders: { source: drop, files: "*.csv" }
            """, keys: $"password: \"${{SFTP_PASSWORD}}\", known_hosts: \"{sftp.KnownHosts}\"");
        var wrong = "not-" + sftp.Password;

        File.WriteAllText(Path.Combine(project.Root, ".env"), $"SFTP_PASSWORD={sftp.Password}\n");
        var test = await project.CliAsync("test-connection", "drop");
        var run = await project.CliAsync("run");
        File.WriteAllText(Path.Combine(project.Root, ".env"), $"SFTP_PASSWORD={wrong}\n");
        var refusedTest = await project.CliAsync("test-connection", "drop");
        var refusedRun = await project.CliAsync("run");

        test.ExitCode.ShouldBe(0, test.ToString());
        run.ExitCode.ShouldBe(0, run.ToString());
        (await project.RowsAsync("select id from main.orders order by id")).ShouldBe(["1", "2"]);
        refusedTest.ExitCode.ShouldNotBe(0, refusedTest.ToString());
        refusedRun.ExitCode.ShouldNotBe(0, refusedRun.ToString());
        refusedTest.ToString().ShouldContain($"the server refused the login of {sftp.User} (password)");
        refusedRun.ToString().ShouldContain($"the server refused the login of {sftp.User} (password)");
        string.Concat(test, run, refusedTest, refusedRun).ShouldNotContain(sftp.Password, customMessage: "the password is never shown");
    }

    [Theory]
    [InlineData("wrong-key", "HOST KEY MISMATCH")]
    [InlineData("unknown-host", "is not in")]
    [InlineData("wrong-pin", "not the pinned host_key_fingerprint")]
    [InlineData("wrong-user-key", "the server refused the login")]
    [InlineData("missing-path", "does not exist on the server")]
    [InlineData("refused", "refused the connection")]
    public async Task WhatMustStopAConnection_IsSaidPlainly(string failure, string expected)
    {
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id\n1\n");
        var otherHostKey = NewKey("host");
        var otherUserKey = NewKey("user");
        var knownHosts = Path.Combine(project.Root, "known_hosts");
        var fingerprint = Fingerprint(sftp.KnownHosts);
        var pipelines = """
            orders: { source: drop, files: "*.csv" }
            """;
        switch (failure)
        {
            case "wrong-key":
                // The right host, another key: what a man in the middle would offer.
                File.WriteAllText(knownHosts, $"[{sftp.Host}]:{sftp.Port} {File.ReadAllText(otherHostKey + ".pub").Trim()}\n");
                project.Pipelines(pipelines, keys: $"private_key: \"{sftp.Key}\", known_hosts: \"{knownHosts}\"");
                break;
            case "unknown-host":
                File.WriteAllText(knownHosts, $"[elsewhere.example]:22 {File.ReadAllText(otherHostKey + ".pub").Trim()}\n");
                project.Pipelines(pipelines, keys: $"private_key: \"{sftp.Key}\", known_hosts: \"{knownHosts}\"");
                break;
            case "wrong-pin":
                project.Pipelines(pipelines, keys: $"private_key: \"{sftp.Key}\", host_key_fingerprint: \"SHA256:{new string('A', 43)}\"");
                break;
            case "wrong-user-key":
                project.Pipelines(pipelines, keys: $"private_key: \"{otherUserKey}\", known_hosts: \"{sftp.KnownHosts}\"");
                break;
            case "missing-path":
                project.Pipelines(pipelines, path: project.Folder + "/nope");
                break;
            default:
                project.Pipelines(pipelines);
                File.WriteAllText(Path.Combine(project.Root, "wharf.yml"), File.ReadAllText(Path.Combine(project.Root, "wharf.yml")).Replace($"port: {sftp.Port}", "port: 1", StringComparison.Ordinal));
                break;
        }

        var test = await project.CliAsync("test-connection", "drop");
        var run = await project.CliAsync("run");

        test.ExitCode.ShouldNotBe(0, test.ToString());
        test.ToString().ShouldContain(expected);
        test.ToString().ShouldContain("drop");
        run.ExitCode.ShouldNotBe(0, run.ToString());
        run.ToString().ShouldContain(expected);
        (test.ToString() + run).ShouldNotContain(File.ReadAllText(sftp.Key).Split('\n')[1], customMessage: "no part of the private key");
        fingerprint.ShouldStartWith("SHA256:");
    }

    /// <summary>A new ed25519 key pair in a temp folder; the private key's path.</summary>
    private static string NewKey(string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wharf-key-").FullName, name);
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path);
        return path;
    }

    /// <summary>The SHA256 fingerprint of the (first) key in a known_hosts file, as ssh-keygen prints it.</summary>
    private static string Fingerprint(string knownHosts) => Run("ssh-keygen", "-l", "-E", "sha256", "-f", knownHosts).Split(' ')[1];

    private static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
        return output;
    }
}
