using Wharf.DuckDb;

namespace Wharf.Tests.DuckDb;

/// <summary>A checkpoint that DuckDB postpones is no failure; any other failure of one is.</summary>
public sealed class DuckDbCheckpointTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("wharf-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Checkpoint_WithNothingElseOpen_IsMade()
    {
        using var connection = DuckDbConnections.Open(Path.Combine(folder, "w.duckdb"));
        connection.Execute("CREATE TABLE t AS SELECT 1 AS v");

        (await DuckDbCheckpoint.TryAsync(connection, TestContext.Current.CancellationToken)).ShouldBeTrue();
    }

    [Fact]
    public void IsPostponed_ForDuckDbsRefusalWhileOtherWritesAreOpen()
    {
        // DuckDB's words (duck_transaction_manager.cpp) for a checkpoint it puts off; raised here
        // through DuckDB itself, as a real error of the engine.
        using var connection = DuckDbConnections.Open(null);
        var error = Should.Throw<DuckDbException>(() => connection.Execute(
            "SELECT error('Cannot CHECKPOINT: there are other write transactions active. Try using FORCE CHECKPOINT to wait until all active transactions are finished')"));

        DuckDbCheckpoint.IsPostponed(error).ShouldBeTrue();
    }

    [Fact]
    public void IsPostponed_IsFalse_ForAnyOtherError()
    {
        using var connection = DuckDbConnections.Open(null);
        var error = Should.Throw<DuckDbException>(() => connection.Execute("CHECKPOINT no_such_database"));

        DuckDbCheckpoint.IsPostponed(error).ShouldBeFalse();
    }
}
