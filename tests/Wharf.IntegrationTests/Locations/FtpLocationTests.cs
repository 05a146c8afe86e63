using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Quality;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// Files on an FTP server (vsftpd) over explicit TLS (the default), implicit TLS and plain FTP:
/// globs over nested folders and names with spaces, new files only across runs, after_load, a
/// download cut halfway, and what must stop a connection (a wrong password, a missing folder, an
/// untrusted certificate, nothing listening); each said plainly, never with the password.
/// </summary>
public sealed class FtpLocationTests(PostgresServer postgres, FtpServer ftp)
{
    private const string WrongPassword = "wrong-Secret-4711";

    private sealed class Project(IncrementalProject project, FtpServer ftp, string folder) : LocationProject(project)
    {
        public string Folder => folder;

        public void Put(string path, string text) => ftp.Put($"{folder}/{path}", text);

        /// <param name="tls">The connection's tls: value; explicit TLS trusting the server's certificate by default.</param>
        public Project Pipelines(string pipelines, string? tls = null, int? port = null, string? password = null, string? path = null)
        {
            tls ??= $"{{ mode: explicit, ca_file: \"{ftp.CaFile}\" }}";
            Write("legacy", $"{{ type: ftp, host: 127.0.0.1, port: {port ?? ftp.Port}, tls: {tls}, user: {ftp.User}, password: \"${{FTP_PASSWORD}}\", path: \"{path ?? "/" + folder}\" }}",
                pipelines, env: $"FTP_PASSWORD={password ?? ftp.Password}\n");
            return this;
        }
    }

    private async Task<Project> CreateAsync(WarehouseUnderTest kind = WarehouseUnderTest.DuckDb)
    {
        ftp.Require();
        var folder = ftp.CreateFolder();
        return new Project(await IncrementalProject.CreateAsync(postgres, kind, "select 1"), ftp, folder);
    }

    [Fact]
    public async Task Globs_OverNestedFolders_AndNamesWithSpaces_LoadOverExplicitTls()
    {
        using var project = await CreateAsync();
        project.Put("a.csv", "id,name\n1,a\n");
        project.Put("2026/01/b.csv", "id,name\n2,b\n");
        project.Put("2026/02 März/c d.csv", "id,name\n3,c\n");
        project.Put("2026/02 März/c.txt", "not data");
        project.Pipelines("""
            top: { source: legacy, files: "*.csv" }
            nested: { source: legacy, files: "2026/**/*.csv" }
            """);

        await project.RunOkAsync();

        (await project.RowsAsync("select id from main.top")).ShouldBe(["1"]);
        (await project.RowsAsync("select id, name from main.nested order by id")).ShouldBe(["2 | b", "3 | c"]);
    }

    [Theory]
    [InlineData("implicit")]
    [InlineData("none")]
    public async Task ImplicitTls_AndPlainFtp_LoadTheSameFiles(string tls)
    {
        using var project = await CreateAsync();
        project.Put("in/a.csv", "id,amount\n1,10.50\n2,-3.25\n");
        project.Pipelines("""
            orders: { source: legacy, files: "in/*.csv" }
            """,
            tls: tls == "none" ? "none" : $"{{ mode: implicit, ca_file: \"{ftp.CaFile}\" }}",
            port: tls == "none" ? ftp.Port : ftp.ImplicitPort);

        var run = await project.CliAsync("run");

        run.ExitCode.ShouldBe(0, run.ToString());
        (await project.RowsAsync("select id, amount from main.orders order by id")).ShouldBe(["1 | 10.5", "2 | -3.25"]);
        if (tls == "none")
        {
            run.ToString().ShouldContain("uses plain FTP (tls: none): its password and files cross the network unencrypted");
        }
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task NewFilesOnly_AndAfterLoad_AcrossRuns(WarehouseUnderTest warehouse)
    {
        using var project = await CreateAsync(warehouse);
        project.Put("in/a.csv", "id\n1\n2\n");
        project.Pipelines("""
            orders:
              source: legacy
              files: "in/*.csv"
              incremental: files
              after_load: { move_to: done }
            """);

        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(2);
        ftp.FilesIn(project.Folder).ShouldBe(["done/in/a.csv"]);

        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(0);
        project.Put("in/b.csv", "id\n3\n");
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(1);
        (await project.RowsAsync("select id from main.orders order by id")).ShouldBe(["1", "2", "3"]);
        ftp.FilesIn(project.Folder).ShouldBe(["done/in/a.csv", "done/in/b.csv"]);
    }

    [Fact]
    public async Task AChangedFile_IsLoadedAgain_AndDeleteAfterLoadRemovesIt()
    {
        using var project = await CreateAsync();
        project.Put("a.csv", "id\n1\n");
        project.Put("b.csv", "id\n2\n");
        project.Pipelines("""
            orders: { source: legacy, files: "a.csv", incremental: files }
            gone: { source: legacy, files: "b.csv", after_load: { delete: true } }
            """);

        await project.RunOkAsync();
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(0, "a.csv is unchanged");
        project.Put("a.csv", "id\n7\n");
        File.SetLastWriteTimeUtc(Path.Combine(Environment.GetEnvironmentVariable("WHARF_TEST_FTP_DIR")!, "files", project.Folder, "a.csv"), DateTime.UtcNow.AddMinutes(1));
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(1, "a.csv was rewritten in place: same size, a new modification time");

        (await project.RowsAsync("select id from main.orders order by id")).ShouldBe(["1", "7"]);
        (await project.RowsAsync("select id from main.gone")).ShouldBe(["2"]);
        ftp.FilesIn(project.Folder).ShouldBe(["a.csv"]);
    }

    [Fact]
    public async Task ADownloadCutHalfway_IsDownloadedAgain_AndLoadedWhole()
    {
        using var project = await CreateAsync();
        project.Put("big.csv", "id\n" + string.Join("\n", Enumerable.Range(1, 5000)) + "\n");
        await using var proxy = new FtpCuttingProxy(ftp.Port, "big.csv", cuts: 1);
        project.Pipelines("""
            orders: { source: legacy, files: "*.csv" }
            """, tls: "none", port: proxy.Port);

        var record = (await project.RunOkAsync()).For("orders");

        proxy.Cut.ShouldBe(1);
        record.RowsLoaded.ShouldBe(5000);
        (await project.RowsAsync("select count(*), count(distinct id), max(id) from main.orders")).ShouldBe(["5000 | 5000 | 5000"]);
    }

    [Fact]
    public async Task TestConnectionAndDiscover_SayWhatIsThere()
    {
        using var project = await CreateAsync();
        project.Put("a.csv", "id\n1\n");
        project.Put("sub/b.csv", "id\n2\n");
        project.Pipelines("""
            orders: { source: legacy, files: "*.csv" }
            """);

        var test = await project.CliAsync("test-connection", "legacy");
        var discover = await project.CliAsync("discover", "legacy", "--format", "json");

        test.ExitCode.ShouldBe(0, test.ToString());
        test.Output.ShouldContain($"ok: legacy: logged in to 127.0.0.1:{ftp.Port} as {ftp.User} (explicit TLS); /{project.Folder} holds 1 files, 1 folders.");
        discover.ExitCode.ShouldBe(0, discover.ToString());
        discover.Output.ShouldContain("\"path\": \"a.csv\"");
        discover.Output.ShouldContain("\"path\": \"sub/b.csv\"");
    }

    [Theory]
    [InlineData("wrong-password", "the server refused the login of wharf (530)")]
    [InlineData("missing-path", "does not exist on the server")]
    [InlineData("untrusted", "the TLS handshake failed")]
    [InlineData("no-tls", "the server does not offer TLS (AUTH TLS answered 530")]
    [InlineData("ssl-reuse", "(vsftpd's require_ssl_reuse), which .NET's TLS client does not do")]
    [InlineData("refused", "refused the connection")]
    public async Task WhatMustStopAConnection_IsSaidPlainly(string failure, string expected)
    {
        using var project = await CreateAsync();
        project.Put("a.csv", "id\n1\n");
        var pipelines = """
            orders: { source: legacy, files: "*.csv" }
            """;
        _ = failure switch
        {
            "wrong-password" => project.Pipelines(pipelines, password: WrongPassword),
            "missing-path" => project.Pipelines(pipelines, path: $"/{project.Folder}/nope"),
            "untrusted" => project.Pipelines(pipelines, tls: "explicit"),
            "no-tls" => project.Pipelines(pipelines, port: ftp.NoTlsPort),
            "ssl-reuse" => project.Pipelines(pipelines, port: ftp.ReusePort),
            _ => project.Pipelines(pipelines, port: 1),
        };

        var test = await project.CliAsync("test-connection", "legacy");
        var run = await project.CliAsync("run");

        test.ExitCode.ShouldNotBe(0, test.ToString());
        test.ToString().ShouldContain(expected);
        test.ToString().ShouldContain("legacy");
        run.ExitCode.ShouldNotBe(0, run.ToString());
        run.ToString().ShouldContain(expected);
        (test.ToString() + run).ShouldNotContain(WrongPassword);
        (test.ToString() + run).ShouldNotContain(ftp.Password);
    }
}
