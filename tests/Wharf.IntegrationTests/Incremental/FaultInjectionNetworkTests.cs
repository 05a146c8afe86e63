using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>
/// The network between Wharf and the PostgreSQL warehouse drops during a chunk's COMMIT (a proxy
/// in between cuts the connection): either after the server got the COMMIT, so it committed but
/// Wharf never hears so, or before, so it rolled back. Wharf cannot know which; whatever it does
/// next (retry within the run, or fail and leave it to the next run), the warehouse ends with
/// exactly the source, no row lost or loaded twice, and its state agrees.
/// </summary>
public sealed class FaultInjectionNetworkTests(PostgresServer postgres)
{
    private const int Rows = 12_000;

    [Theory]
    [InlineData("append", true)]
    [InlineData("merge", true)]
    [InlineData("append", false)]
    [InlineData("merge", false)]
    public async Task NetworkDrop_DuringACommit_NeitherLosesNorDuplicatesRows(string mode, bool commitReaches)
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouseDatabase = await postgres.CreateDatabaseAsync(ct);
        var direct = new Uri(warehouseDatabase.Url);
        await using var proxy = new CommitCuttingProxy(direct.Port, nth: 4, commitReaches);
        var throughProxy = warehouseDatabase with { Url = new UriBuilder(direct) { Port = proxy.Port }.Uri.ToString() };
        using var scenario = await FaultScenario.CreateAsync(await postgres.CreateDatabaseAsync(ct), throughProxy, mode, Rows, padding: 0, ct);

        var first = await scenario.RunAsync(null, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"The run whose commit was cut: {first}");

        proxy.Cut.ShouldBe(1, "the proxy saw the fourth COMMIT and cut it");
        if (first.ExitCode == 0)
        {
            // Retried within the run: its audit counts every row once, the chunk whose commit went unanswered too.
            var run = (await scenario.Warehouse.RunsAsync(ct)).ShouldHaveSingleItem();
            (run.Status, run.RowsExtracted, run.RowsLoaded, run.RowsInserted).ShouldBe(("succeeded", (long)Rows, (long)Rows, (long)Rows), run.Error);
        }
        else
        {
            first.ExitCode.ShouldBe(1, first.ToString());
            (first.Output + first.Error).ShouldNotContain("Unhandled exception");
            var second = await scenario.RunAsync(null, ct);
            second.ExitCode.ShouldBe(0, second.ToString());
        }

        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        (await scenario.Warehouse.RunsAsync(ct)).ShouldNotContain(r => r.Status == "running");
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }
}
