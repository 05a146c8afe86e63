using System.Diagnostics;
using Npgsql;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Incremental;

/// <summary>Restart tests run alone: they need the machine's attention while a server is down.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultInjectionRestartCollection
{
    public const string Name = "FaultInjection restarts";
}

/// <summary>
/// A PostgreSQL server restarts (<c>pg_ctl restart -m fast</c> or <c>-m immediate</c>) while a
/// cursor pipeline is loading chunks: the warehouse's, the source's, or one server that is both.
/// The server is one these tests start for themselves, so no other test loses its connections.
/// Loads retry transient errors, and an extract whose source dropped reads on after its last
/// committed chunk: the run succeeds, and the warehouse ends with exactly the source and a
/// consistent state.
/// </summary>
[Collection(FaultInjectionRestartCollection.Name)]
public sealed class FaultInjectionRestartTests(PostgresServer postgres, FaultInjectionServer server) : IClassFixture<FaultInjectionServer>
{
    private const int Rows = 30_000;

    [Theory]
    [InlineData("fast", "merge", "warehouse")]
    [InlineData("immediate", "append", "warehouse")]
    [InlineData("fast", "append", "source")]
    [InlineData("immediate", "merge", "source")]
    [InlineData("fast", "append", "both")]
    [InlineData("immediate", "merge", "both")]
    public async Task PostgresRestart_WhileLoading_EndsWithExactlyTheSource(string shutdown, string mode, string restarted)
    {
        var ct = TestContext.Current.CancellationToken;
        var sourceRestarts = restarted != "warehouse";
        var sourceDatabase = sourceRestarts ? await server.CreateDatabaseAsync(ct) : await postgres.CreateDatabaseAsync(ct);
        var warehouseDatabase = restarted == "source" ? await postgres.CreateDatabaseAsync(ct) : await server.CreateDatabaseAsync(ct);
        using var scenario = await FaultScenario.CreateAsync(sourceDatabase, warehouseDatabase, mode, Rows, padding: sourceRestarts ? 600 : 0, ct);
        var warehouse = (PostgresFaultWarehouse)scenario.Warehouse;
        WharfChild.Result first;
        using (var child = scenario.Start(ct))
        {
            await FaultChecks.WaitUntilAsync(child, () => warehouse.HasStateAsync(ct), "the first chunk committed", ct);
            child.HasExited.ShouldBeFalse("the run finished before the restart; the table is too small");

            await server.RestartAsync(shutdown, ct);

            first = await child.WaitAsync(ct);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"The run during the restart: {first}");

        // A restarted warehouse is a transient error, retried; a restarted source is read on from
        // the last committed chunk, saying why.
        first.ExitCode.ShouldBe(0, $"a server restart is retried within the run\n{first}");
        var runs = await warehouse.RunsAsync(ct);
        runs.ShouldHaveSingleItem().Status.ShouldBe("succeeded");
        if (sourceRestarts)
        {
            first.ToString().ShouldContain("the source closed the connection");
            first.ToString().ShouldContain("Resuming after the");
            runs[0].RowsExtracted.ShouldBeGreaterThanOrEqualTo(Rows);
        }
        else
        {
            runs[0].RowsExtracted.ShouldBe(Rows);
        }

        await FaultChecks.ShouldHoldAsync(scenario, await scenario.Source.RowsAsync(ct), ct);
        (await warehouse.RunsAsync(ct)).ShouldNotContain(r => r.Status == "running");
        await FaultChecks.RunAgainShouldChangeNothingAsync(scenario, ct);
    }
}

/// <summary>
/// A PostgreSQL server of the tests' own, started and stopped with scripts/postgres.sh (which runs
/// it as a non-root user when the tests run as root), that a test may restart.
/// </summary>
public sealed class FaultInjectionServer : IAsyncLifetime
{
    private string? script;
    private string? connectionString;
    private string? bin;
    private string? directory;

    private string ConnectionString => connectionString ?? throw new InvalidOperationException("The server did not start.");

    public async ValueTask InitializeAsync()
    {
        script = FindScript();
        var started = await BashAsync(
            "source \"$1\" && wharf_pg_start >&2 && printf '%s\\n' \"$WHARF_TEST_POSTGRES\" \"$WHARF_TEST_PG_BIN\" \"$WHARF_TEST_PG_DIR\"",
            [script], TestContext.Current.CancellationToken);
        var lines = started.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (started.ExitCode != 0 || lines.Length != 3)
        {
            throw new InvalidOperationException($"scripts/postgres.sh could not start a server for the restart tests:\n{started}");
        }

        (connectionString, bin, directory) = (lines[0], lines[1], lines[2]);

        // postgres.sh turns durability off. An immediate shutdown (a crash, as far as the server
        // knows) would then lose commits it had acknowledged, and no client could tell: commits
        // are flushed at COMMIT again here, so what the test checks is Wharf, not the setting.
        await FaultPg.ExecuteAsync(ConnectionString, "ALTER SYSTEM SET synchronous_commit = on", TestContext.Current.CancellationToken);
        await FaultPg.ExecuteAsync(ConnectionString, "SELECT pg_reload_conf()", TestContext.Current.CancellationToken);
    }

    /// <summary>A fresh database on this server.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var name = $"t_{Guid.NewGuid():N}";
        await FaultPg.ExecuteAsync(ConnectionString, $"CREATE DATABASE {name}", cancellationToken);
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString, PostgresServer.Url(builder));
    }

    /// <summary><c>pg_ctl restart -m MODE -w</c>, as the user that owns the data folder.</summary>
    public async Task RestartAsync(string mode, CancellationToken cancellationToken)
    {
        var restarted = await BashAsync("""
            cd "$1" || exit 1
            command=("$2/pg_ctl" restart -D "$1/data" -l "$1/postgres.log" -m "$3" -w -t 60 -s)
            if [ "$(id -u)" -eq 0 ]; then
                exec runuser -u "$(stat -c %U "$1/data")" -- "${command[@]}"
            fi
            exec "${command[@]}"
            """, [directory!, bin!, mode], cancellationToken);
        restarted.ExitCode.ShouldBe(0, $"pg_ctl restart -m {mode}\n{restarted}");
    }

    public async ValueTask DisposeAsync()
    {
        if (directory is not null)
        {
            await BashAsync("WHARF_TEST_PG_BIN=\"$2\" bash \"$1\" stop \"$3\"", [script!, bin!, directory], CancellationToken.None);
        }
    }

    private static string FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "scripts", "postgres.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"scripts/postgres.sh is not above {AppContext.BaseDirectory}.");
    }

    /// <summary>Runs a bash script with positional arguments; its output goes to files, so a server it starts holds no pipe of ours.</summary>
    private static async Task<WharfChild.Result> BashAsync(string code, string[] args, CancellationToken cancellationToken)
    {
        var output = Path.GetTempFileName();
        var error = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("bash") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"exec >{Quote(output)} 2>{Quote(error)} </dev/null\n{code}");
            start.ArgumentList.Add("bash");
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            // The shared server's folder must never be the one a stop removes.
            start.Environment.Remove("WHARF_TEST_PG_DIR");
            using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return new WharfChild.Result(process.ExitCode, await File.ReadAllTextAsync(output, cancellationToken), await File.ReadAllTextAsync(error, cancellationToken));
        }
        finally
        {
            File.Delete(output);
            File.Delete(error);
        }
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''") + "'";
}
