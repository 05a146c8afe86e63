using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary>The incremental keys of a pipeline: read, defaulted, and checked against each other.</summary>
public sealed class IncrementalSettingsTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Pipeline(string keys) => $$"""
        connections:
          files: { type: files }
        pipelines:
          orders:
            source: files
            files: orders.csv
            primary_key: id
        {{keys}}
        """;

    [Fact]
    public async Task Load_CursorPipeline_ReadsEveryKey()
    {
        folder.WriteProject(Pipeline("""
                mode: scd2
                cursor: [updated_at, id]
                lookback: 10m
                initial: "2026-01-01"
                detect_deletes: true
                track: [name, amount]
                chunk_rows: 5000
                first_load: chunks
            """));

        var incremental = (await folder.LoadAsync()).Pipelines[0].Incremental;

        incremental.Cursor.ShouldBe(["updated_at", "id"]);
        incremental.Lookback!.Sql.ShouldBe("INTERVAL '600 seconds'");
        incremental.Initial.ShouldBe("2026-01-01");
        incremental.DetectDeletes.ShouldBeTrue();
        incremental.Track.ShouldBe(["name", "amount"]);
        incremental.ChunkRows.ShouldBe(5000);
        incremental.FirstLoad.ShouldBe(FirstLoad.Chunks);
    }

    [Fact]
    public async Task Load_FirstLoad_IsReadWholeUnlessAskedForChunks()
    {
        folder.WriteProject(Pipeline("""
                mode: merge
                cursor: updated_at
            """));

        (await folder.LoadAsync()).Pipelines[0].Incremental.FirstLoad.ShouldBe(FirstLoad.Whole);
    }

    [Fact]
    public async Task Load_HashChangeDetection_ImpliesDeletes()
    {
        folder.WriteProject(Pipeline("""
                mode: merge
                change_detection: hash
                deletes: soft
            """));

        var incremental = (await folder.LoadAsync()).Pipelines[0].Incremental;

        incremental.ChangeDetection.ShouldBe(ChangeDetection.Hash);
        incremental.DetectDeletes.ShouldBeTrue();
        incremental.Deletes.ShouldBe(DeleteMode.Soft);
    }

    [Theory]
    [InlineData("mode: replace\n    cursor: updated_at", "mode: replace rebuilds")]
    [InlineData("lookback: 10m", "'lookback' applies to a cursor")]
    [InlineData("mode: merge\n    cursor: updated_at\n    lookback: ten minutes", "'lookback' must be a duration")]
    [InlineData("mode: append\n    detect_deletes: true", "'detect_deletes' needs mode: merge or scd2")]
    [InlineData("mode: merge\n    cursor: updated_at\n    change_detection: hash", "for sources without a cursor")]
    [InlineData("mode: merge\n    deletes: soft", "add 'detect_deletes: true'")]
    [InlineData("mode: merge\n    track: [name]", "needs mode: scd2")]
    [InlineData("mode: merge\n    cursor: updated_at\n    chunk_rows: 10", "at least 1000")]
    [InlineData("mode: merge\n    deletes: sometimes\n    detect_deletes: true", "must be one of hard, soft")]
    [InlineData("mode: merge\n    first_load: chunks", "'first_load' applies to a cursor")]
    [InlineData("mode: merge\n    cursor: updated_at\n    first_load: parallel", "must be one of whole, chunks")]
    public async Task Load_ContradictoryKeys_AreErrorsThatSayWhy(string keys, string expected)
    {
        var error = await folder.LoadFailsAsync(Pipeline("    " + keys));

        error.Message.ShouldContain(expected);
        error.Line.ShouldBeGreaterThan(6);
    }

    [Fact]
    public async Task Load_Scd2WithoutAKey_AsksForOne()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              files: { type: files }
            pipelines:
              orders:
                source: files
                files: orders.csv
                mode: scd2
            """);

        error.Message.ShouldContain("add 'primary_key:'");
    }

    [Theory]
    [InlineData("30s", "INTERVAL '30 seconds'", true)]
    [InlineData("2h", "INTERVAL '7200 seconds'", true)]
    [InlineData("1d", "INTERVAL '86400 seconds'", true)]
    [InlineData("500", "500", false)]
    [InlineData("0.5", "0.5", false)]
    public void Lookback_Parse_GivesTheSqlToSubtract(string text, string sql, bool duration)
    {
        var lookback = Lookback.Parse(text)!;

        lookback.Sql.ShouldBe(sql);
        lookback.IsDuration.ShouldBe(duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("10 minutes")]
    [InlineData("5w")]
    public void Lookback_Parse_RejectsAnythingElse(string text) => Lookback.Parse(text).ShouldBeNull();
}
