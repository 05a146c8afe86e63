using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Sources;

namespace Wharf.IntegrationTests.MySql;

/// <summary>MariaDB cursor pipelines across runs: lookback, merge and scd2, delete detection, chunk commits resumed after a kill.</summary>
public sealed class MySqlIncrementalTests(MySqlServer mysql) : IDisposable
{
    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private async Task<MySqlTestDatabase> ProjectAsync(string setupSql, string settings)
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await database.ExecuteAsync(setupSql);
        harness.WithProject($$"""
            connections:
              db: { type: mysql, url: "{{database.Url}}" }
            pipelines:
              items:
                source: db
                tables: [items]
                schema: raw
                {{settings.Replace("\n", "\n    ", StringComparison.Ordinal)}}
            """);
        return database;
    }

    private async Task RunOkAsync()
    {
        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
    }

    private string Items(string columns = "id || ':' || name") =>
        (string)harness.Scalar($"select string_agg({columns}, ',' order by id) from raw.items")!;

    [Fact]
    public async Task Merge_WithLookbackAndDeletes_FollowsTheSourceAcrossRuns()
    {
        var database = await ProjectAsync("""
            CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), updated_at DATETIME(6));
            INSERT INTO items VALUES (-40, 'neg', '2024-01-01 09:00:00'), (1, 'a', '2024-01-01 10:00:00'), (2, 'b', '2024-01-01 11:00:00'),
              (3, 'c', '2024-01-01 12:00:00.000001'), (100, 'x', '2024-01-01 09:30:00');
            """, "mode: merge\ncursor: updated_at\nlookback: 30m\ndetect_deletes: true");

        await RunOkAsync();
        Items().ShouldBe("-40:neg,1:a,2:b,3:c,100:x");

        // 2 changes; 3 goes; 4 arrives; 5 is late (inside the lookback); 1 is older than the lookback and unchanged.
        await database.ExecuteAsync("""
            UPDATE items SET name = 'b2', updated_at = '2024-01-02 09:00:00' WHERE id = 2;
            DELETE FROM items WHERE id IN (3, 100);
            INSERT INTO items VALUES (4, 'd', '2024-01-02 10:00:00'), (5, 'late', '2024-01-01 11:45:00');
            """);
        await RunOkAsync();

        // Deleted keys are found by the server's key summary (a negative key among them stays).
        Items().ShouldBe("-40:neg,1:a,2:b2,4:d,5:late");
        harness.Scalar("select rows_extracted from _wharf.runs order by started_at desc limit 1")
            .ShouldBe(3L, "the second run reads only 2, 4 and 5 (at or past 11:30, the watermark less the lookback)");
        harness.Scalar("select max(updated_at) from raw.items").ShouldBe(new DateTime(2024, 1, 2, 10, 0, 0));
    }

    [Fact]
    public async Task Scd2_KeepsHistory_OfChangedAndDeletedRows()
    {
        var database = await ProjectAsync("""
            CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), updated_at TIMESTAMP(6) NULL);
            SET time_zone = '+00:00';
            INSERT INTO items VALUES (1, 'a', '2024-01-01 10:00:00'), (2, 'b', '2024-01-01 11:00:00');
            """, "mode: scd2\ncursor: updated_at\ndetect_deletes: true");

        await RunOkAsync();
        await database.ExecuteAsync("""
            SET time_zone = '+00:00';
            UPDATE items SET name = 'a2', updated_at = '2024-01-03 00:00:00' WHERE id = 1;
            DELETE FROM items WHERE id = 2;
            """);
        await RunOkAsync();

        harness.Scalar("select string_agg(name || ':' || _wharf_is_current, ',' order by name) from raw.items")
            .ShouldBe("a:false,a2:true,b:false");
        harness.Scalar("select count(*) from raw.items where _wharf_valid_to is null").ShouldBe(1L);
    }

    [Fact]
    public async Task ChunkCommits_ResumeAfterAKill_WithEveryRowOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await ProjectAsync("""
            CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20), seq BIGINT UNSIGNED NOT NULL);
            INSERT INTO items SELECT seq, CONCAT('item ', seq), seq * 10 FROM seq_1_to_5000;
            """, "mode: append\ncursor: seq\nchunk_rows: 1000\nfirst_load: chunks");

        // The real CLI, killed (SIGKILL) right after its second chunk committed.
        var killed = await WharfChild.RunAsync(harness.Root, "chunk.committed:2", ct, "run");
        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        harness.Scalar("select count(*) from raw.items").ShouldBe(2000L, "two chunks of 1,000 rows were committed");

        await RunOkAsync();

        harness.Scalar("select count(*) from raw.items").ShouldBe(5000L);
        harness.Scalar("select count(distinct id) from raw.items").ShouldBe(5000L);
        harness.Scalar("select max(seq) from raw.items").ShouldBe(50_000UL);
        harness.Scalar("select rows_extracted from _wharf.runs where status = 'succeeded'")
            .ShouldBe(3001L, "the second run starts at the committed watermark (inclusive), not at the beginning");
    }

    [Fact]
    public async Task SourceConnectionKilled_WhileReading_TheRunReadsOnAfterItsCommittedChunks()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await ProjectAsync("""
            CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(200), seq BIGINT UNSIGNED NOT NULL);
            INSERT INTO items SELECT seq, CONCAT('item ', seq, REPEAT('.', 150)), seq * 10 FROM seq_1_to_200000;
            """, "mode: append\ncursor: seq\nchunk_rows: 5000\nfirst_load: chunks");
        var log = new LogLines();
        harness.Logger = log;

        // Once the extract has read a while, its connection is killed from another session, as a
        // DBA (or a server's idle killer) would: MariaDB ends the query and closes the connection.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var killer = KillTheReaderAsync(database, TimeSpan.FromMilliseconds(400), stop.Token);
        var summary = await harness.RunAsync();
        await stop.CancelAsync();
        var killed = await killer;

        killed.ShouldBeTrue("the reading connection was found and killed");
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        log.Lines.ShouldContain(l => l.Text.Contains("the source closed the connection", StringComparison.Ordinal) && l.Text.Contains("Resuming after the", StringComparison.Ordinal),
            string.Join("\n", log.Lines.Select(l => l.Text)));
        harness.Scalar("select count(*) from raw.items").ShouldBe(200_000L);
        harness.Scalar("select count(distinct id) from raw.items").ShouldBe(200_000L);
        harness.Scalar("select max(seq) from raw.items").ShouldBe(2_000_000UL);
        harness.Scalar("select count(*) from _wharf.runs").ShouldBe(1L);
    }

    /// <summary>Kills the connection reading <c>items</c> once it has run for <paramref name="after"/>; whether it found one.</summary>
    private static async Task<bool> KillTheReaderAsync(MySqlTestDatabase database, TimeSpan after, CancellationToken cancellationToken)
    {
        await using var admin = new MySqlConnector.MySqlConnection(database.ConnectionString);
        await admin.OpenAsync(cancellationToken);
        try
        {
            while (true)
            {
                await using var find = new MySqlConnector.MySqlCommand(
                    "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND info LIKE 'SELECT%`items`%' AND id <> CONNECTION_ID() AND time_ms >= @after", admin);
                find.Parameters.AddWithValue("@after", after.TotalMilliseconds);
                if (await find.ExecuteScalarAsync(cancellationToken) is { } id)
                {
                    await using var kill = new MySqlConnector.MySqlCommand($"KILL CONNECTION {Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture)}", admin);
                    await kill.ExecuteNonQueryAsync(cancellationToken);
                    return true;
                }

                await Task.Delay(20, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
