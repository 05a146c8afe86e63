using System.Text;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources;
using Wharf.Tests.Cli;
using Wharf.Tests.Excel;

namespace Wharf.Tests.Sources;

/// <summary>
/// A file's lake file is written in Parquet row groups sized to its rows (a CSV's or NDJSON's lines,
/// a JSON array's records, a workbook's spooled rows): a warehouse load reads a group at a time, and
/// a CSV of 2 KB lines in groups of 100,000 rows failed its load "Out of Memory" under the default
/// 512MB limit (bench/README.md). Narrow rows keep groups of 100,000 (DuckDB cuts at whole chunks of
/// 2,048 rows, at least the size asked).
/// </summary>
public sealed class FileRowGroupTests : IDisposable
{
    private readonly TempProject folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData("csv", 2_000, 40_000, 12_000, 20_480)]
    [InlineData("csv", 10, 150_000, 100_000, 102_400)]
    [InlineData("ndjson", 2_000, 40_000, 12_000, 20_480)]
    [InlineData("json", 2_000, 40_000, 12_000, 20_480)]
    [InlineData("json", 10, 150_000, 100_000, 102_400)]
    public async Task RowGroups_HoldAbout32MB_OfTheFilesRows_InTheirOrder(string format, int width, int rows, int fewestInAGroup, int mostInAGroup)
    {
        var text = new StringBuilder(format switch { "csv" => "id,text\n", "json" => "[\n", _ => "" });
        for (var i = 0; i < rows; i++)
        {
            text.Append(format == "csv" ? $"{i}," : $"{{\"id\": {i}, \"text\": \"").Append('x', width)
                .Append(format switch { "csv" => "\n", "json" when i < rows - 1 => "\"},\n", "json" => "\"}\n]\n", _ => "\"}\n" });
        }

        folder.Write($"data/in.{format}", text.ToString());
        await ShouldBeWrittenInGroupsAsync($"in.{format}", rows, fewestInAGroup, mostInAGroup);
    }

    [Fact]
    public async Task RowGroups_OfAWorkbooksWideRows_HoldAbout32MB()
    {
        // 16 KB rows: 32 MB is about 2,100 of them (the CSV reader's chunks end a group a little past it).
        const int rows = 5_000;
        TestWorkbook.Write(Path.Combine(folder.Root, "data", "in.xlsx"),
            new TestSheet("One", [["id", "text"], .. Enumerable.Range(0, rows).Select(i => new object?[] { i, new string('x', 16_000) })]));

        await ShouldBeWrittenInGroupsAsync("in.xlsx", rows, 2_048, 4_096);
    }

    private async Task ShouldBeWrittenInGroupsAsync(string name, int rows, int fewestInAGroup, int mostInAGroup)
    {
        var ct = TestContext.Current.CancellationToken;
        folder.WithPipelines($"  file_in: {{ source: local, files: {name}, mode: replace }}");
        var project = await ProjectLoader.LoadAsync(folder.Root, cancellationToken: ct);
        var pipeline = project.Pipelines.Single();
        var lake = new LakeWriter(new LakeLayout(folder.Lake), TimeProvider.System);
        using var workArea = DuckDbConnections.Open(null);
        var source = SourceFactory.Create(project.Connection(pipeline.Source), pipeline, new SourceContext { LakeDirectory = folder.Lake });
        var stream = (await source.ListStreamsAsync(ct)).Single();

        var part = (await source.ExtractAsync(stream, new ExtractRequest(workArea, lake, new LakeTarget("file_in", stream.Name, "20261206T000000Z-aaaaaa", DateTimeOffset.UnixEpoch)), ct)).Single();

        var file = Path.Combine(folder.Lake, part.File);
        ParquetRowGroups.ShouldBeGroupsOf(workArea, file, rows, fewestInAGroup, mostInAGroup);
        ParquetRowGroups.ShouldKeepTheOrderRead(workArea, file);
    }
}
