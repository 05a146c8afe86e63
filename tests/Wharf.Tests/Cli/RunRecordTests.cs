using System.Text.Json;

namespace Wharf.Tests.Cli;

/// <summary>
/// What a run records for an operator: per-stage times, peak memory, bytes read and written, who
/// ran it, where, and which Wharf, in <c>_wharf.runs</c>, <c>wharf runs --format json</c>, the
/// JSON summary of <c>wharf run</c>, and <c>wharf runs RUN_ID</c> (one run in full).
/// </summary>
public sealed class RunRecordTests : IDisposable
{
    private const string Csv = "id,name,amount\n1,a,1.50\n2,b,2.25\n3,c,\n";

    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task The_audit_row_says_where_the_time_and_memory_went_and_who_ran_it()
    {
        project.Write("data/t.csv", Csv).WithPipelines("  t: { source: local, files: \"t.csv\", mode: replace }");

        var run = await project.RunAsync("run", "--format", "json");

        run.ExitCode.ShouldBe(0, run.ToString());
        var stream = JsonDocument.Parse(run.Output).RootElement.GetProperty("streams")[0];
        stream.GetProperty("kind").GetString().ShouldBe("load");
        stream.GetProperty("started_by").GetString().ShouldBe(Environment.UserName);
        stream.GetProperty("host").GetString().ShouldBe(Environment.MachineName);
        stream.GetProperty("wharf_version").GetString().ShouldNotBeNullOrWhiteSpace();
        stream.GetProperty("peak_memory_bytes").GetInt64().ShouldBeGreaterThan(10L << 20);
        stream.GetProperty("bytes_read").GetInt64().ShouldBe(Csv.Length);
        var lakeBytes = project.LakeFiles().Sum(f => new FileInfo(f).Length);
        stream.GetProperty("bytes_written").GetInt64().ShouldBe(lakeBytes);
        var stages = stream.GetProperty("stages");
        foreach (var stage in new[] { "extract_seconds", "land_seconds", "stage_seconds", "load_seconds", "commit_seconds" })
        {
            stages.GetProperty(stage).GetDouble().ShouldBeGreaterThan(0, stage);
        }

        // The stages happen one after another within the stream's run (which ends as the commit starts).
        var total = new[] { "extract_seconds", "land_seconds", "stage_seconds", "load_seconds" }.Sum(s => stages.GetProperty(s).GetDouble());
        total.ShouldBeLessThanOrEqualTo(stream.GetProperty("duration_seconds").GetDouble() + 0.01);

        // The audit table holds the same, commit time included.
        project.Scalar("select started_by || '@' || host from _wharf.runs").ShouldBe($"{Environment.UserName}@{Environment.MachineName}");
        project.Scalar("select bytes_written from _wharf.runs").ShouldBe(lakeBytes);
        project.Scalar("select commit_ms is not null and extract_ms is not null and land_ms is not null and stage_ms is not null and load_ms is not null and peak_memory_bytes > 0 from _wharf.runs").ShouldBe(true);
    }

    [Fact]
    public async Task Runs_RunId_shows_one_run_in_full_and_runs_json_carries_the_new_fields()
    {
        project.Write("data/t.csv", Csv).Write("data/u.csv", "id\n1\n").WithPipelines("""
              t: { source: local, files: "t.csv", mode: replace }
              u: { source: local, files: "missing.csv", mode: replace }
            """);
        (await project.RunAsync("run")).ExitCode.ShouldNotBe(0);
        var list = JsonDocument.Parse((await project.RunAsync("runs", "--format", "json")).Output).RootElement;
        var id = list.EnumerateArray().Single(r => r.GetProperty("pipeline").GetString() == "t").GetProperty("run_id").GetString()!;
        list[0].GetProperty("stages").GetProperty("load_seconds").ValueKind.ShouldBe(JsonValueKind.Number);

        var json = await project.RunAsync("runs", id, "--format", "json");
        json.ExitCode.ShouldBe(0, json.ToString());
        var run = JsonDocument.Parse(json.Output).RootElement;
        run.GetProperty("run_id").GetString().ShouldBe(id);
        run.GetProperty("streams").GetArrayLength().ShouldBe(1);
        run.GetProperty("streams")[0].GetProperty("lake_files").GetArrayLength().ShouldBe(1);

        var table = await project.RunAsync("runs", id);
        table.ExitCode.ShouldBe(0, table.ToString());
        table.Output.ShouldContain(id);
        table.Output.ShouldContain($"by {Environment.UserName} on {Environment.MachineName}");
        table.Output.ShouldContain("stage/check");
        table.Output.ShouldContain("lake file");

        var failed = JsonDocument.Parse((await project.RunAsync("runs", "--format", "json")).Output).RootElement
            .EnumerateArray().Single(r => r.GetProperty("pipeline").GetString() == "u");
        var shown = await project.RunAsync("runs", failed.GetProperty("run_id").GetString()!);
        shown.Output.ShouldContain("error");
        shown.Output.ShouldContain("missing.csv");

        var missing = await project.RunAsync("runs", "20000101T000000000Z-nope");
        missing.ExitCode.ShouldBe(2);
        missing.Error.ShouldContain("There is no run '20000101T000000000Z-nope'");
    }

    [Fact]
    public async Task Seed_model_test_and_export_rows_say_who_ran_them_where_and_with_which_wharf()
    {
        project.Write("data/t.csv", Csv).WithPipelines("  t: { source: local, files: \"t.csv\", mode: replace }")
            .Write("seeds/colours.csv", "id,name\n1,red\n")
            .Write("models/totals.sql", "select count(*) as n from {{ ref('colours') }}")
            .Write("tests/assert_one_colour.sql", "select * from {{ ref('totals') }} where n <> 1");
        (await project.RunAsync("build")).ExitCode.ShouldBe(0);
        (await project.RunAsync("export", "totals", "--to", Path.Combine(project.Root, "totals.csv"))).ExitCode.ShouldBe(0);

        var runs = JsonDocument.Parse((await project.RunAsync("runs", "--format", "json")).Output).RootElement.EnumerateArray().ToList();

        runs.Select(r => r.GetProperty("kind").GetString()).Distinct().Order(StringComparer.Ordinal).ShouldBe(["export", "model", "seed", "test"]);
        foreach (var run in runs)
        {
            var what = $"{run.GetProperty("kind")} {run.GetProperty("pipeline")}";
            run.GetProperty("started_by").GetString().ShouldBe(Environment.UserName, what);
            run.GetProperty("host").GetString().ShouldBe(Environment.MachineName, what);
            run.GetProperty("wharf_version").GetString().ShouldNotBeNullOrWhiteSpace(what);
        }
        project.Scalar("select count(*) from _wharf.runs where started_by is null or host is null or wharf_version is null").ShouldBe(0L);
    }
}
