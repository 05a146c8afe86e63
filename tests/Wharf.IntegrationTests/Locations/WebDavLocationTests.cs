using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Quality;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// Files in a WebDAV folder (Apache with mod_dav): globs over nested folders and names that need
/// encoding, new files only across runs, after_load, a download cut halfway, and what must stop a
/// connection (a wrong password, a missing folder, nothing listening); each said plainly, never with the password.
/// </summary>
public sealed class WebDavLocationTests(PostgresServer postgres, WebDavServer dav)
{
    private sealed class Project(IncrementalProject project, WebDavServer dav, string folder) : LocationProject(project)
    {
        /// <summary>The password as wharf.yml takes it: from .env.</summary>
        private const string DavPassword = "${DAV_PASSWORD}";

        public string Folder => folder;

        public Task PutAsync(string path, string text) => dav.PutAsync($"{folder}/{path}", text);

        public Project Pipelines(string pipelines, string? url = null, string? login = null)
        {
            Write("share", $"{{ type: webdav, url: \"{url ?? dav.Url}{folder}/\", {login ?? $"user: {dav.User}, password: \"{DavPassword}\""} }}",
                pipelines, env: $"DAV_PASSWORD={dav.Password}\n");
            return this;
        }
    }

    private async Task<Project> CreateAsync(WarehouseUnderTest kind = WarehouseUnderTest.DuckDb)
    {
        dav.Require();
        var folder = await dav.CreateFolderAsync();
        return new Project(await IncrementalProject.CreateAsync(postgres, kind, "select 1"), dav, folder);
    }

    [Fact]
    public async Task Globs_OverNestedFolders_AndNamesThatNeedEncoding_LoadFromTheServer()
    {
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id,name\n1,a\n");
        await project.PutAsync("2026/01/b.csv", "id,name\n2,b\n");
        await project.PutAsync("2026/02 März/c d.csv", "id,name\n3,c\n");
        await project.PutAsync("2026/02 März/c.txt", "not data");
        project.Pipelines("""
            top: { source: share, files: "*.csv" }
            nested: { source: share, files: "2026/**/*.csv" }
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
              source: share
              files: "in/*.csv"
              incremental: files
              after_load: { move_to: done }
            """);

        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(2);
        dav.FilesIn(project.Folder).ShouldBe(["done/in/a.csv"]);

        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(0);
        await project.PutAsync("in/b.csv", "id\n3\n");
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(1);
        (await project.RowsAsync("select id from main.orders order by id")).ShouldBe(["1", "2", "3"]);
        dav.FilesIn(project.Folder).ShouldBe(["done/in/a.csv", "done/in/b.csv"]);
    }

    [Fact]
    public async Task AChangedFile_IsLoadedAgain_AndDeleteAfterLoadRemovesIt()
    {
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id\n1\n");
        await project.PutAsync("b.csv", "id\n2\n");
        project.Pipelines("""
            orders: { source: share, files: "a.csv", incremental: files }
            gone: { source: share, files: "b.csv", after_load: { delete: true } }
            """);

        await project.RunOkAsync();
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(0, "a.csv is unchanged");
        await project.PutAsync("a.csv", "id\n1\n10\n");
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(2, "a.csv was rewritten: a new size and ETag");

        (await project.RowsAsync("select id from main.orders order by id")).ShouldBe(["1", "1", "10"]);
        (await project.RowsAsync("select id from main.gone")).ShouldBe(["2"]);
        dav.FilesIn(project.Folder).ShouldBe(["a.csv"]);
    }

    [Fact]
    public async Task ADownloadCutHalfway_IsDownloadedAgain_AndLoadedWhole()
    {
        using var project = await CreateAsync();
        await project.PutAsync("big.csv", "id\n" + string.Join("\n", Enumerable.Range(1, 5000)) + "\n");
        await using var proxy = new CuttingProxy(new Uri(dav.Url).GetLeftPart(UriPartial.Authority), "/big.csv", cuts: 1);
        project.Pipelines("""
            orders: { source: share, files: "*.csv" }
            """, url: proxy.Endpoint + new Uri(dav.Url).AbsolutePath);

        var record = (await project.RunOkAsync()).For("orders");

        proxy.Cut.ShouldBe(1);
        record.RowsLoaded.ShouldBe(5000);
        (await project.RowsAsync("select count(*), count(distinct id), max(id) from main.orders")).ShouldBe(["5000 | 5000 | 5000"]);
    }

    [Fact]
    public async Task TestConnectionAndDiscover_SayWhatIsThere()
    {
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id\n1\n");
        await project.PutAsync("sub/b.csv", "id\n2\n");
        project.Pipelines("""
            orders: { source: share, files: "*.csv" }
            """);

        var test = await project.CliAsync("test-connection", "share");
        var discover = await project.CliAsync("discover", "share", "--format", "json");

        test.ExitCode.ShouldBe(0, test.ToString());
        test.Output.ShouldContain($"ok: share: listed {dav.Url}{project.Folder}/ as {dav.User} (1 files, 1 folders).");
        discover.ExitCode.ShouldBe(0, discover.ToString());
        discover.Output.ShouldContain("\"path\": \"a.csv\"");
        discover.Output.ShouldContain("\"path\": \"sub/b.csv\"");
    }

    [Theory]
    [InlineData("wrong-password", "the server refused the login of wharf (401)")]
    [InlineData("missing-path", "does not exist on the server (404)")]
    [InlineData("refused", "refused the connection")]
    public async Task WhatMustStopAConnection_IsSaidPlainly(string failure, string expected)
    {
        const string WrongPassword = "wrong-Secret-4711";
        using var project = await CreateAsync();
        await project.PutAsync("a.csv", "id\n1\n");
        var pipelines = """
            orders: { source: share, files: "*.csv" }
            """;
        switch (failure)
        {
            case "wrong-password":
                project.Pipelines(pipelines, login: $"user: {dav.User}, password: \"{WrongPassword}\"");
                break;
            case "missing-path":
                project.Pipelines(pipelines, url: dav.Url + "nope/");
                break;
            default:
                project.Pipelines(pipelines, url: "http://127.0.0.1:1/dav/");
                break;
        }

        var test = await project.CliAsync("test-connection", "share");
        var run = await project.CliAsync("run");

        test.ExitCode.ShouldNotBe(0, test.ToString());
        test.ToString().ShouldContain(expected);
        test.ToString().ShouldContain("share");
        run.ExitCode.ShouldNotBe(0, run.ToString());
        run.ToString().ShouldContain(expected);
        (test.ToString() + run).ShouldNotContain(WrongPassword);
        (test.ToString() + run).ShouldNotContain($":{dav.Password}@");
    }
}
