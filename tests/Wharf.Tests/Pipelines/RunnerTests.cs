using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Sources;
using Wharf.Tests.Cli;
using Wharf.Warehouses.DuckDb;

namespace Wharf.Tests.Pipelines;

/// <summary>The runner with a source of the test's own: how a pipeline's streams fail, and what the user is told.</summary>
public sealed class RunnerTests : IDisposable
{
    private readonly TempProject folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Run_WhenAnExtractionFailsUnexpectedly_CancelsTheOtherExtractions_AndThrowsItsError()
    {
        var ct = TestContext.Current.CancellationToken;
        var (project, warehouse) = await OpenAsync();
        using var _ = warehouse;
        var source = new Streams(["slow", "broken"]);
        source.Extract = async (stream, token) =>
        {
            if (stream == "slow")
            {
                source.SlowStarted.SetResult();
                await Task.Delay(Timeout.Infinite, token);
            }

            await source.SlowStarted.Task;
            throw new InvalidOperationException("a bug in a source");
        };
        var runner = new Runner(project, warehouse, TimeProvider.System, NullLogger.Instance) { Sources = (_, _) => source };

        var error = await Should.ThrowAsync<InvalidOperationException>(() => runner.RunAsync([], null, ct).WaitAsync(TimeSpan.FromSeconds(30), ct));

        error.Message.ShouldBe("a bug in a source");
        source.Running.ShouldBe(0);
    }

    [Fact]
    public async Task Run_WhenTheFailureCannotBeAudited_SaysSoInTheRunsRecord()
    {
        var ct = TestContext.Current.CancellationToken;
        var (project, warehouse) = await OpenAsync();
        using var _ = warehouse;
        warehouse.WorkArea.Execute("ALTER TABLE _wharf.runs RENAME TO runs_elsewhere");
        var source = new Streams(["orders"]) { Extract = (_, _) => throw new SourceException("local", "orders", "The source is down.") };
        var runner = new Runner(project, warehouse, TimeProvider.System, NullLogger.Instance) { Sources = (_, _) => source };

        var summary = await runner.RunAsync([], null, ct);

        var error = summary.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull();
        error.ShouldContain("could not be written to the audit table");
    }

    [Fact]
    public async Task Run_LeavesTheWarehouseFileCheckpointed_WithTheAuditRowWrittenAgain()
    {
        // The stream's audit row is written again after its load's commit (the commit's time, the
        // peak memory): the run's one checkpoint comes after that and covers both, so closing the
        // file has nothing left to write (a second checkpoint there cost every run some 80 ms).
        var ct = TestContext.Current.CancellationToken;
        folder.Write("data/orders.csv", "id,name\n1,a\n2,b\n").Write("wharf.yml", """
            warehouse: duckdb:warehouse.duckdb
            lake: lake/
            connections:
              local: { type: files, path: data }
            pipelines:
              orders: { source: local, files: orders.csv, mode: replace }
            """);
        var project = await ProjectLoader.LoadAsync(folder.Root, cancellationToken: ct);
        using var warehouse = DuckDbWarehouse.Open(folder.Warehouse, TimeProvider.System);

        var summary = await new Runner(project, warehouse, TimeProvider.System, NullLogger.Instance).RunAsync([], null, ct);

        summary.Succeeded.ShouldBeTrue();
        var wal = new FileInfo(folder.Warehouse + ".wal");
        (wal.Exists ? wal.Length : 0).ShouldBe(0, "everything committed is in the warehouse file before it closes");
        warehouse.WorkArea.Scalar("SELECT peak_memory_bytes > 0 AND commit_ms IS NOT NULL FROM _wharf.runs").ShouldBe(true);
    }

    [Fact]
    public async Task Run_OfSeveralPipelines_CheckpointsOnceAtItsEnd_NotAfterEachStream()
    {
        // A checkpoint rewrites every table changed since the last one, the audit table among
        // them: one after each stream cost a run of three small pipelines a quarter of its time.
        var ct = TestContext.Current.CancellationToken;
        folder.Write("data/a.csv", "id\n1\n").Write("data/b.csv", "id\n2\n").Write("data/c.csv", "id\n3\n").Write("wharf.yml", """
            warehouse: duckdb:warehouse.duckdb
            lake: lake/
            connections:
              local: { type: files, path: data }
            pipelines:
              a: { source: local, files: a.csv, mode: replace }
              b: { source: local, files: b.csv, mode: append }
              c: { source: local, files: c.csv, mode: replace }
            """);
        var project = await ProjectLoader.LoadAsync(folder.Root, cancellationToken: ct);
        using var warehouse = DuckDbWarehouse.Open(folder.Warehouse, TimeProvider.System);
        var wal = new FileInfo(folder.Warehouse + ".wal");
        long Wal()
        {
            wal.Refresh();
            return wal.Exists ? wal.Length : 0;
        }

        var walAsEachStreamEnds = new List<long>();
        var progress = new Reports(e =>
        {
            if (e is StreamFinished)
            {
                walAsEachStreamEnds.Add(Wal());
            }
        });

        var summary = await new Runner(project, warehouse, TimeProvider.System, NullLogger.Instance).RunAsync([], progress, ct);

        summary.Succeeded.ShouldBeTrue();
        walAsEachStreamEnds.Count.ShouldBe(3);
        walAsEachStreamEnds.ShouldAllBe(length => length > 0, "each stream's load and audit row wait in the WAL");
        Wal().ShouldBe(0, "the run's end checkpointed them all");
        warehouse.WorkArea.Scalar("SELECT count(*) FILTER (WHERE commit_ms IS NOT NULL) FROM _wharf.runs").ShouldBe(3L);
    }

    /// <summary>A progress that runs its handler at once, on the reporting thread.</summary>
    private sealed class Reports(Action<RunEvent> handler) : IProgress<RunEvent>
    {
        public void Report(RunEvent value) => handler(value);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_TracksAnExtractsProgress_OnlyForAProgressThatDrawsIt(bool draws)
    {
        // Tracking costs DuckDB 1.5-3% of a run: only a progress that draws percentages gets them.
        var ct = TestContext.Current.CancellationToken;
        var (project, warehouse) = await OpenAsync();
        using var _ = warehouse;
        var events = new List<StreamProgressed>();
        var source = new Streams(["orders"]);
        source.Extract = (_, token) => Task.Run(() =>
        {
            var workArea = source.Request!.WorkArea;
            workArea.Execute("CREATE TEMP TABLE numbers AS SELECT range AS n FROM range(10000000)");
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(draws ? 20 : 1) && !(draws && Reported()))
            {
                workArea.Scalar("SELECT sum(hash(n)) FROM numbers");
            }
        }, token);
        var runner = new Runner(project, warehouse, TimeProvider.System, NullLogger.Instance) { Sources = (_, _) => source };

        await runner.RunAsync([], draws ? new Drawing(Add) : new Plain(Add), ct);

        if (draws)
        {
            Reported().ShouldBeTrue("DuckDB tracked the extract's query");
        }
        else
        {
            events.ShouldBeEmpty();
        }

        void Add(RunEvent e)
        {
            lock (events)
            {
                if (e is StreamProgressed p)
                {
                    events.Add(p);
                }
            }
        }

        bool Reported()
        {
            lock (events)
            {
                return events.Any(e => e.Percentage >= 0);
            }
        }
    }

    private async Task<(Project Project, DuckDbWarehouse Warehouse)> OpenAsync()
    {
        // The test's source stands in for the SQLite connection; parallel: 2 lets both streams extract at once.
        folder.Write("wharf.yml", """
            warehouse: duckdb:warehouse.duckdb
            lake: lake/
            connections:
              db: { type: sqlite, path: shop.db }
            pipelines:
              two:
                source: db
                tables: ["*"]
                parallel: 2
            """);
        var project = await ProjectLoader.LoadAsync(folder.Root, cancellationToken: TestContext.Current.CancellationToken);
        return (project, DuckDbWarehouse.Open(folder.Warehouse, TimeProvider.System));
    }

    private sealed class Plain(Action<RunEvent> report) : IProgress<RunEvent>
    {
        public void Report(RunEvent value) => report(value);
    }

    private sealed class Drawing(Action<RunEvent> report) : IDrawsPercentages
    {
        public void Report(RunEvent value) => report(value);
    }

    /// <summary>A source of named streams whose extraction the test decides.</summary>
    private sealed class Streams(string[] names) : ISource
    {
        private int running;

        public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<string, CancellationToken, Task> Extract { get; set; } = (_, _) => Task.CompletedTask;

        /// <summary>The last extraction's request.</summary>
        public ExtractRequest? Request { get; private set; }

        /// <summary>Extractions started and not yet ended.</summary>
        public int Running => Volatile.Read(ref running);

        public Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<SourceStream>>([.. names.Select(n => new SourceStream(n, n, n, []))]);

        public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref running);
            Request = request;
            try
            {
                await Extract(stream.Name, cancellationToken);
                return [];
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }
    }
}
