using Wharf.IntegrationTests.Postgres;
using Wharf.Projects;
using Wharf.Warehouses.Postgres;

namespace Wharf.IntegrationTests.Warehouses;

/// <summary>Two runs of one pipeline on one PostgreSQL warehouse, from anywhere: the second is kept out and told who holds it.</summary>
public sealed class PipelineLockInPostgresTests(PostgresServer postgres)
{
    private static async Task<PostgresWarehouse> OpenAsync(TestDatabase database) =>
        await PostgresWarehouse.OpenAsync(new ConnectionSettings("warehouse", "postgres") { Url = database.Url }, TimeProvider.System, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Found by CI: two runs opening a new warehouse at once both created the _wharf schema (a unique violation on pg_namespace).</summary>
    [Fact]
    public async Task OpeningANewWarehouse_FromSeveralSessionsAtOnce_SetsItUpOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var round = 0; round < 10; round++)
        {
            var database = await postgres.CreateDatabaseAsync(ct);
            var opened = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => OpenAsync(database), ct)));
            foreach (var warehouse in opened)
            {
                (await warehouse.ListRunsAsync(1, cancellationToken: ct)).ShouldBeEmpty();
                warehouse.Dispose();
            }
        }
    }

    [Fact]
    public async Task Lock_HeldByAnotherSession_FailsNamingTheHolder_ThenIsFreeOnceReleased()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync(ct);
        using var first = await OpenAsync(database);
        using var second = await OpenAsync(database);

        var held = await first.LockPipelineAsync("orders", "run A pid 1@host-a", TimeSpan.Zero, ct);
        var error = await Should.ThrowAsync<WharfException>(() => second.LockPipelineAsync("orders", "run B pid 2@host-b", TimeSpan.Zero, ct));
        await using (await second.LockPipelineAsync("customers", "run C pid 3@host-b", TimeSpan.Zero, ct))
        {
            // Another pipeline is independent.
        }

        error.Message.ShouldContain("Pipeline 'orders' is already running");
        error.Message.ShouldContain("wharf run A pid 1@host-a");
        await held.DisposeAsync();
        await using var now = await second.LockPipelineAsync("orders", "run B pid 2@host-b", TimeSpan.Zero, ct);
    }

    [Fact]
    public async Task Lock_WithWait_QueuesBehindTheHolder()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync(ct);
        using var first = await OpenAsync(database);
        using var second = await OpenAsync(database);
        var held = await first.LockPipelineAsync("orders", "run A", TimeSpan.Zero, ct);

        var waiting = second.LockPipelineAsync("orders", "run B", TimeSpan.FromSeconds(30), ct);
        await Task.Delay(700, ct);
        waiting.IsCompleted.ShouldBeFalse();
        await held.DisposeAsync();

        await using var acquired = await waiting;
    }
}
