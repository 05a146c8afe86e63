using System.Data;
using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

/// <summary>
/// <see cref="DuckDbConnections"/>: how Wharf opens DuckDB. (That a second process cannot open a
/// warehouse in use is covered by the CLI's tests: <c>Run_WhileAnotherProcessHoldsTheWarehouse_SaysSoAndChangesNothing</c>.)
/// </summary>
public sealed class DuckDbConnectionsTests : IDisposable
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("wharf-duckdb-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public void Open_NeverDownloadsOrLoadsAnExtensionByItself()
    {
        using var connection = DuckDbConnections.Open(null);

        connection.Scalar("SELECT current_setting('autoinstall_known_extensions')").ShouldBe(false);
        connection.Scalar("SELECT current_setting('autoload_known_extensions')").ShouldBe(false);
    }

    [Fact]
    public void Open_WithSettings_AppliesThem()
    {
        using var connection = DuckDbConnections.Open(null, new Dictionary<string, string> { ["threads"] = "1", ["memory_limit"] = "100MB" });

        connection.Scalar("SELECT current_setting('threads')").ShouldBe(1L);
        connection.Scalar("SELECT current_setting('autoinstall_known_extensions')").ShouldBe(false);
        ((string)connection.Scalar("SELECT current_setting('memory_limit')")!).ShouldStartWith("95.3 MiB");
    }

    [Fact]
    public void Open_WithoutSettings_BoundsEveryDatabaseByWharfsDefault_AndSpillsInMemoryOnesToAFolderOfTheProcess()
    {
        using var memory = DuckDbConnections.Open(null);
        using var file = DuckDbConnections.Open(Path.Combine(directory.FullName, "bounded.duckdb"));

        // 512MB (DuckDbLimits.Default) is 488.2 MiB; DuckDB's own default is 80% of the machine's memory.
        ((string)memory.Scalar("SELECT current_setting('memory_limit')")!).ShouldBe("488.2 MiB");
        ((string)file.Scalar("SELECT current_setting('memory_limit')")!).ShouldBe("488.2 MiB");
        ((string)memory.Scalar("SELECT current_setting('temp_directory')")!)
            .ShouldBe(Path.Combine(Path.GetTempPath(), $"wharf-duckdb-{Environment.ProcessId}"));
        ((string)file.Scalar("SELECT current_setting('temp_directory')")!).ShouldBe(Path.Combine(directory.FullName, "bounded.duckdb.tmp"));
    }

    [Fact]
    public void Open_InMemory_UnderASmallLimit_SpillsWhatDoesNotFit_InsteadOfFailing()
    {
        using var connection = DuckDbConnections.Open(null, new Dictionary<string, string> { ["memory_limit"] = "40MB", ["threads"] = "1" });

        // Sorting 8M integers needs ~64 MB of sort data: more than the limit, so DuckDB must spill.
        connection.Scalar("SELECT max(n) FROM (SELECT row_number() OVER (ORDER BY v DESC) AS n FROM (SELECT (range * 7919) % 8000000 AS v FROM range(8000000)))")
            .ShouldBe(8000000L);
        connection.Scalar("SELECT count(*) FROM (SELECT DISTINCT (range * 7919) % 8000000 FROM range(8000000))").ShouldBe(8000000L);
    }

    [Fact]
    public void Open_ANullPath_GivesEachConnectionItsOwnDatabase()
    {
        using var first = DuckDbConnections.Open(null);
        using var second = DuckDbConnections.Open(null);
        first.Execute("CREATE TABLE t AS SELECT 1 AS v");

        second.Scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'").ShouldBe(0L);
    }

    [Fact]
    public void Open_TheSameFileTwiceInOneProcess_SharesItsDatabase()
    {
        var path = Path.Combine(directory.FullName, "w.duckdb");
        using var first = DuckDbConnections.Open(path);
        first.Execute("CREATE TABLE t AS SELECT 42 AS v");

        using var second = DuckDbConnections.Open(path);

        second.Scalar("SELECT v FROM t").ShouldBe(42);
    }

    [Fact]
    public void Open_AFileThatIsNoDatabase_IsADuckDbException()
    {
        var path = Path.Combine(directory.FullName, "not-a-database.duckdb");
        File.WriteAllText(path, "just some text, long enough to have a header's worth of bytes in it, and then some more of it");

        Should.Throw<DuckDbException>(() => DuckDbConnections.Open(path)).Message.ShouldContain("not-a-database.duckdb");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Another_GivesAnOpenConnectionToTheSameDatabase(bool inFile)
    {
        using var connection = DuckDbConnections.Open(inFile ? Path.Combine(directory.FullName, "w.duckdb") : null);
        connection.Execute("CREATE TABLE t AS SELECT 42 AS v");

        using var another = DuckDbConnections.Another(connection);

        another.State.ShouldBe(ConnectionState.Open);
        another.Scalar("SELECT v FROM t").ShouldBe(42);
        another.Scalar("SELECT current_setting('autoinstall_known_extensions')").ShouldBe(false);
    }

    [Fact]
    public void Another_RunsAStatementWhileTheFirstConnectionStreams()
    {
        using var connection = DuckDbConnections.Open(null);
        connection.Execute("CREATE TABLE t AS SELECT i FROM range(10000) r(i)");
        using var another = DuckDbConnections.Another(connection);

        using var reader = connection.Query("SELECT i FROM t ORDER BY i");
        reader.Read().ShouldBeTrue();
        another.Execute("INSERT INTO t VALUES (-1)");

        another.Scalar("SELECT count(*) FROM t").ShouldBe(10_001L);
        reader.GetInt64(0).ShouldBe(0);
    }

    [Fact]
    public void LibraryVersion_IsThePinnedDuckDb()
    {
        using var connection = DuckDbConnections.Open(null);

        DuckDbConnections.LibraryVersion.ShouldStartWith("v1.5.");
        DuckDbConnections.LibraryVersion.ShouldBe(connection.Scalar("SELECT version()"));
    }
}
