using Npgsql;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Sources;

/// <summary>
/// The source's session is ended in the middle of a full extract (what a restarted server does to
/// its clients): the run reads the table again from the start and loads it exactly, or, when the
/// source keeps dropping it, fails saying what happened, with nothing loaded.
/// </summary>
public sealed class SourceConnectionLostTests(PostgresServer postgres) : IDisposable
{
    private const int Rows = 400_000;

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private async Task<TestDatabase> SourceAsync()
    {
        var source = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await using var connection = new NpgsqlConnection(source.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand($"create table big as select i as id, md5(i::text) as t from generate_series(1, {Rows}) i; alter table big add primary key (id);", connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        harness.WithProject($$"""
            connections:
              src: { type: postgres, url: "{{source.Url}}" }
            pipelines:
              k: { source: src, tables: [big], schema: raw, mode: replace, parallel: 1 }
            """);
        return source;
    }

    /// <summary>Ends every session of the database that is copying rows out, until the run ends or <paramref name="times"/> were ended.</summary>
    private static async Task<int> EndCopiesAsync(TestDatabase source, Task run, int times)
    {
        await using var connection = new NpgsqlConnection(source.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var ended = 0;
        while (!run.IsCompleted && ended < times)
        {
            await using var command = new NpgsqlCommand(
                "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity where datname = $1 and state = 'active' and query ilike 'copy%' and pid <> pg_backend_pid()", connection);
            command.Parameters.AddWithValue(source.Name);
            ended += (int)(long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return ended;
    }

    [Fact]
    public async Task ASessionEndedMidExtract_IsReadAgainFromTheStart_AndTheTableIsExact()
    {
        var source = await SourceAsync();

        var run = harness.RunAsync();
        var ended = await EndCopiesAsync(source, run, times: 1);
        var summary = await run;

        ended.ShouldBe(1, "the extract was cut once");
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        harness.Scalar("select count(*) from raw.big").ShouldBe((long)Rows);
        harness.Scalar("select count(distinct id) = count(*) and min(id) = 1 and max(id) = " + Rows + " from raw.big").ShouldBe(true);
        harness.Scalar("select rows_loaded from _wharf.runs").ShouldBe((long)Rows);
    }

    [Fact]
    public async Task ASourceThatKeepsDroppingTheConnection_FailsSayingSo_WithNothingLoaded()
    {
        var source = await SourceAsync();

        // Every copy is cut until the run gives up (a cut that lands as a copy ends may spare it, so no fixed count).
        var run = harness.RunAsync();
        var ended = await EndCopiesAsync(source, run, times: int.MaxValue);
        var summary = await run;

        ended.ShouldBeGreaterThanOrEqualTo(3, "each of the three attempts was cut");
        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.Single().Error!;
        error.ShouldContain("the source closed the connection (its server restarted, or the session was ended)");
        error.ShouldNotContain("Exception while reading from stream");
        error.ShouldContain("Nothing was loaded.");
        harness.Scalar("select count(*) from information_schema.tables where table_schema = 'raw'").ShouldBe(0L);
    }
}
