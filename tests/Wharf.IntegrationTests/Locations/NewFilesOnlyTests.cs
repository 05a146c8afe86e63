using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Quality;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// <c>incremental: files</c> and <c>after_load:</c> from a bucket into each warehouse: each file is
/// loaded once, a changed file again, a run that dies before its commit leaves the files to the
/// next run, and files are moved or deleted only once their rows are committed.
/// </summary>
public sealed class NewFilesOnlyTests(PostgresServer postgres, S3Server s3)
{
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task EachFileLoadsOnce_AChangedFileAgain_AndARunWithoutNewFilesSaysSo(WarehouseUnderTest warehouse)
    {
        using var project = await S3Project.CreateAsync(postgres, s3, warehouse);
        await project.PutAsync("a.csv", "id,name\n1,a\n2,b\n");
        project.Pipelines("""
            orders:
              source: bucket
              files: "*.csv"
              incremental: files
              mode: merge
              primary_key: id
            """);

        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(2);

        var again = (await project.RunOkAsync()).For("orders");
        again.RowsLoaded.ShouldBe(0);
        again.Status.ShouldBe(RunStatus.Succeeded);
        again.Source.ShouldContain("no new files");

        await project.PutAsync("b.csv", "id,name\n3,c\n");
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(1, "only b.csv is new");
        (await project.LoadedFilesAsync("orders")).ShouldBe(2);

        // Rewritten in place: a new size and ETag, so it is loaded again (and merged by key).
        await project.PutAsync("a.csv", "id,name\n1,A\n2,b\n10,j\n");
        var rewritten = (await project.RunOkAsync()).For("orders");
        rewritten.RowsExtracted.ShouldBe(3, "the whole file again");
        (rewritten.RowsInserted, rewritten.RowsUpdated).ShouldBe((1, 1));
        (await project.RowsAsync("select id, name from main.orders order by id")).ShouldBe(["1 | A", "2 | b", "3 | c", "10 | j"]);

        // A full refresh forgets what was loaded.
        (await project.RunAsync(fullRefresh: true)).For("orders").RowsLoaded.ShouldBe(4);
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task ARunKilledBeforeItsCommit_LeavesTheFilesToTheNextRun_WhichLoadsThemOnce(WarehouseUnderTest warehouse)
    {
        using var project = await S3Project.CreateAsync(postgres, s3, warehouse);
        await project.PutAsync("a.csv", "id,name\n1,a\n2,b\n");
        await project.PutAsync("b.csv", "id,name\n3,c\n");
        project.Pipelines("""
            orders:
              source: bucket
              files: "*.csv"
              incremental: files
              after_load: { move_to: archive }
            """);

        // Downloaded, staged and written, then killed inside the transaction.
        var killed = await project.CliAsync("load.before-commit", "run");
        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        (await project.KeysAsync()).ShouldBe(["in/a.csv", "in/b.csv"], "nothing is moved before the commit");

        var next = await project.CliAsync(null, "run");
        next.ExitCode.ShouldBe(0, next.ToString());
        (await project.RowsAsync("select id from main.orders order by id")).ShouldBe(["1", "2", "3"]);
        (await project.KeysAsync()).ShouldBe(["in/archive/a.csv", "in/archive/b.csv"]);

        // The archive is not read again, and nothing new came.
        (await project.RunOkAsync()).For("orders").RowsLoaded.ShouldBe(0);
        (await project.RowsAsync("select count(*) from main.orders")).ShouldBe(["3"]);
        project.SpooledFiles().ShouldBeEmpty();
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task AfterLoad_MovesOrDeletes_OnlyFilesWhoseRowsAreCommitted(WarehouseUnderTest warehouse)
    {
        using var project = await S3Project.CreateAsync(postgres, s3, warehouse);
        await project.PutAsync("moved/a.csv", "id,name\n1,a\n");
        await project.PutAsync("moved/2026/b.csv", "id,name\n2,b\n");
        await project.PutAsync("deleted/c.csv", "id,name\n3,c\n");
        project.Pipelines("""
            moved:
              source: bucket
              files: "moved/**/*.csv"
              after_load: { move_to: archive/ }
            deleted:
              source: bucket
              files: "deleted/*.csv"
              after_load: { delete: true }
            """);

        await project.RunOkAsync();

        (await project.KeysAsync()).ShouldBe(["in/archive/moved/2026/b.csv", "in/archive/moved/a.csv"]);
        (await project.RowsAsync("select id from main.moved order by id")).ShouldBe(["1", "2"]);
        (await project.RowsAsync("select id from main.deleted")).ShouldBe(["3"]);

        // A load that fails leaves its file where it was.
        await project.PutAsync("moved/bad.csv", [.. "id,name\n"u8, 0xff, 0xfe, 0x0a]); // not UTF-8: DuckDB refuses it
        var failed = await project.RunAsync();
        failed.For("moved").Status.ShouldBe(RunStatus.Failed);
        (await project.KeysAsync()).ShouldContain("in/moved/bad.csv");
    }

    [Fact]
    public async Task AfterLoad_AFileOfANameArchivedBefore_IsArchivedBesideIt_WithTheTimeInItsName()
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        project.Pipelines("""
            remote:
              source: bucket
              files: "*.csv"
              incremental: files
              after_load: { move_to: archive }
            local:
              source: files
              files: "*.csv"
              incremental: files
              after_load: { move_to: archive }
            """);
        var local = Path.Combine(project.Root, "data");
        await project.PutAsync("daily.csv", "id\n1\n");
        File.WriteAllText(Path.Combine(local, "daily.csv"), "id\n1\n");
        await project.RunOkAsync();

        // The next day's file has the same name.
        await project.PutAsync("daily.csv", "id\n2\n");
        File.WriteAllText(Path.Combine(local, "daily.csv"), "id\n2\n");
        await project.RunOkAsync();

        var keys = await project.KeysAsync();
        keys.Count.ShouldBe(2, string.Join(", ", keys));
        keys.ShouldContain("in/archive/daily.csv");
        keys.ShouldContain(k => k.StartsWith("in/archive/daily.", StringComparison.Ordinal) && k.EndsWith("Z.csv", StringComparison.Ordinal));
        var archived = Directory.GetFiles(Path.Combine(local, "archive")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        archived.Count.ShouldBe(2, string.Join(", ", archived));
        File.ReadAllText(Path.Combine(local, "archive", "daily.csv")).ShouldBe("id\n1\n", "the first day's file is kept");
        File.ReadAllText(Path.Combine(local, "archive", archived.Single(n => n != "daily.csv")!)).ShouldBe("id\n2\n");
        (await project.RowsAsync("select id from main.remote order by id")).ShouldBe(["1", "2"]);
        (await project.RowsAsync("select id from main.local order by id")).ShouldBe(["1", "2"]);
    }

    [Fact]
    public async Task AfterLoad_WhenAFileCannotBeMoved_WarnsNamingIt_AndDoesNotLoadItAgain()
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        project.Pipelines("""
            local:
              source: files
              files: "*.csv"
              incremental: files
              after_load: { move_to: archive }
            """);
        File.WriteAllText(Path.Combine(project.Root, "data", "a.csv"), "id\n1\n2\n");
        // A folder where the file should go: the move fails after the commit.
        Directory.CreateDirectory(Path.Combine(project.Root, "data", "archive", "a.csv"));

        var first = (await project.RunOkAsync()).For("local");

        first.RowsLoaded.ShouldBe(2);
        first.Notes.ShouldContain(n => n.Contains("after_load: a.csv") && n.Contains("could not be moved to archive/") && n.Contains("will not be loaded again"));
        (await project.RowsAsync("select notes from _wharf.runs where pipeline = 'local'")).ShouldHaveSingleItem().ShouldContain("could not be moved");
        File.Exists(Path.Combine(project.Root, "data", "a.csv")).ShouldBeTrue();

        (await project.RunOkAsync()).For("local").RowsLoaded.ShouldBe(0, "its identity is in the state, committed with its rows");
        (await project.RowsAsync("select count(*) from main.local")).ShouldBe(["2"]);
    }
}
