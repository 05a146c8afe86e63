using System.Diagnostics;
using System.Text;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources;
using Wharf.Tests.Cli;

namespace Wharf.Tests.Sources;

/// <summary>
/// The mutations of <see cref="FileInputFuzzTests"/> in volume: thousands of mutated CSV and NDJSON
/// files, each read by the files source into the lake (the step of a run that meets the bytes),
/// without the warehouse around it, which the whole-run fuzz covers. Each read writes its rows to
/// the lake, all of them readable, or fails with Wharf's own error naming the file; never another
/// exception. Seeded; WHARF_FILE_READ_FUZZ_CASES runs more (or fewer).
/// </summary>
public sealed class FileReadFuzzTests : IDisposable
{
    private readonly TempProject folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task MutatedInputs_AreReadIntoTheLake_OrRefusedNamingTheFile()
    {
        var ct = TestContext.Current.CancellationToken;
        var cases = int.TryParse(Environment.GetEnvironmentVariable("WHARF_FILE_READ_FUZZ_CASES"), out var n) ? n : 2000;
        folder.Write("wharf.yml", """
            lake: lake/
            connections:
              files: { type: files, path: data/ }
            pipelines:
              csv_in: { source: files, files: "in.csv", mode: replace }
              json_in: { source: files, files: "in.ndjson", mode: replace }
            """);
        folder.Write("data/in.csv", FileInputFuzzTests.Csv);
        var project = await ProjectLoader.LoadAsync(folder.Root, cancellationToken: ct);
        var lake = new LakeWriter(new LakeLayout(Path.Combine(folder.Root, "lake")), TimeProvider.System);
        using var workArea = DuckDbConnections.Open(null);
        var random = new Random(20261205);
        var (loaded, refused) = (0, 0);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cases; i++)
        {
            var json = i % 2 == 1;
            var (file, valid) = json ? ("in.ndjson", FileInputFuzzTests.Ndjson) : ("in.csv", FileInputFuzzTests.Csv);
            var (bytes, what) = FileInputFuzzTests.Mutate(Encoding.UTF8.GetBytes(valid), random, i, longLine: 64 * 1024);
            var label = $"case {i} ({file}: {what})";
            await File.WriteAllBytesAsync(Path.Combine(folder.Root, "data", file), bytes, ct);
            var pipeline = project.Pipelines.Single(p => p.Name == (json ? "json_in" : "csv_in"));
            try
            {
                var rows = await ReadAsync(project, pipeline, lake, workArea, i, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
                rows.ShouldAllBe(r => r.Lake == r.Manifest, $"{label}: every part holds the rows its manifest says");
                loaded++;
            }
            catch (WharfException ex)
            {
                ex.Message.ShouldContain(file, Case.Sensitive, $"{label}: the error names the file");
                refused++;
            }
            catch (Exception ex) when (ex is not ShouldAssertException)
            {
                throw new ShouldAssertException($"{label}: reading threw {ex.GetType().Name} instead of a clear error: {ex}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s: {loaded} read, {refused} refused.");
        loaded.ShouldBeGreaterThan(cases / 10, "some mutations (other newlines, a BOM in CSV, repeated bytes) still read");
        refused.ShouldBeGreaterThan(cases / 10, "most mutations are refused");
    }

    /// <summary>Each stream of the pipeline read into the lake: per part, the rows in its file and in its manifest.</summary>
    private static async Task<List<(long Lake, long Manifest)>> ReadAsync(Project project, PipelineSettings pipeline, LakeWriter lake, DuckDB.NET.Data.DuckDBConnection workArea, int number, CancellationToken ct)
    {
        var source = SourceFactory.Create(project.Connection(pipeline.Source), pipeline, new SourceContext { LakeDirectory = lake.Layout.Root });
        var parts = new List<(long, long)>();
        foreach (var stream in await source.ListStreamsAsync(ct))
        {
            var target = new LakeTarget(pipeline.Name, stream.Name, $"fuzz-{number:D5}", DateTimeOffset.UnixEpoch);
            foreach (var manifest in await source.ExtractAsync(stream, new ExtractRequest(workArea, lake, target), ct))
            {
                var path = Path.Combine(lake.Layout.Root, manifest.File);
                using var count = DuckDbCommands.Query(workArea, $"SELECT count(*) FROM read_parquet({Quote.Literal(path)})");
                count.Read();
                parts.Add((count.GetInt64(0), manifest.Rows));
                File.Delete(path);
                File.Delete(LakeLayout.ManifestPath(path));
            }
        }

        return parts;
    }
}
