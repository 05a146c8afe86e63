namespace Wharf.Tests.Cli;

/// <summary>
/// <c>wharf replay</c> over a lake file that is no longer what its manifest says: a clear error
/// naming the file, and nothing applied (the table stays as the runs left it, not half replayed).
/// </summary>
public sealed class ReplayDamagedLakeTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private const string Everything = "select string_agg(id || ':' || amount || ':' || _wharf_run_id, ' ' order by id) from orders";

    /// <summary>Two runs of an append pipeline; the second run's lake file (its Parquet file and manifest).</summary>
    private async Task<(string Parquet, string Manifest)> TwoRunsAsync()
    {
        foreach (var csv in (string[])["id,amount\n1,10\n2,20\n", "id,amount\n3,30\n"])
        {
            project.Write("data/o.csv", csv).WithPipelines("""
                  orders:
                    source: local
                    files: "o.csv"
                    mode: append
                """);
            (await project.RunAsync("run")).ExitCode.ShouldBe(0);
        }

        var second = project.LakeFiles().Order(StringComparer.Ordinal).Last();
        return (second, Path.ChangeExtension(second, ".manifest.json"));
    }

    [Fact]
    public async Task AFileCutShort_IsNamed_AndNothingIsReplayed()
    {
        var (parquet, _) = await TwoRunsAsync();
        var before = (string)project.Scalar(Everything)!;
        var length = new FileInfo(parquet).Length;
        using (var file = new FileStream(parquet, FileMode.Open))
        {
            file.SetLength(length / 2);
        }

        var replay = await project.RunAsync("replay", "orders");

        replay.ExitCode.ShouldBe(1, replay.ToString());
        replay.Error.ShouldContain($"The lake file {Relative(parquet)} of run ");
        replay.Error.ShouldContain($"has {length / 2:N0} bytes where its manifest says {length:N0} (cut short or changed after it was written), so nothing was replayed");
        replay.Error.ShouldNotContain("bug");
        project.Scalar(Everything).ShouldBe(before);
    }

    [Fact]
    public async Task AFileOverwrittenAtTheSameSize_IsNamed_AndNothingIsReplayed()
    {
        var (parquet, _) = await TwoRunsAsync();
        var before = (string)project.Scalar(Everything)!;
        var bytes = File.ReadAllBytes(parquet);
        bytes.AsSpan(bytes.Length - 4).Fill((byte)'x');
        File.WriteAllBytes(parquet, bytes);

        var replay = await project.RunAsync("replay", "orders");

        replay.ExitCode.ShouldBe(1, replay.ToString());
        replay.Error.ShouldContain($"The lake file {Relative(parquet)} of run ");
        replay.Error.ShouldContain("is not a whole Parquet file (it does not begin and end with PAR1), so nothing was replayed");
        project.Scalar(Everything).ShouldBe(before);
    }

    [Fact]
    public async Task ADamagedManifest_IsNamed_AndNothingIsReplayed()
    {
        var (_, manifest) = await TwoRunsAsync();
        var before = (string)project.Scalar(Everything)!;
        File.WriteAllText(manifest, "{\"run_id\": ");

        var replay = await project.RunAsync("replay", "orders");

        replay.ExitCode.ShouldBe(1, replay.ToString());
        replay.Error.ShouldContain($"The lake manifest {manifest} is damaged");
        replay.Error.ShouldContain("restore it from a backup of the lake");
        replay.Error.ShouldNotContain("bug");
        project.Scalar(Everything).ShouldBe(before);
    }

    [Fact]
    public async Task AnIntactLake_IsReplayed()
    {
        await TwoRunsAsync();
        var before = (string)project.Scalar(Everything)!;
        project.Execute("delete from orders where id = 3").ShouldBe(1);

        (await project.RunAsync("replay", "orders")).ExitCode.ShouldBe(0);

        project.Scalar(Everything).ShouldBe(before);
    }

    private string Relative(string path) => Path.GetRelativePath(project.Lake, path).Replace('\\', '/');
}
