namespace Wharf.Tests.Cli;

/// <summary>
/// Bad input gets one clear paragraph that names the file (and line), a non-zero exit code, and
/// leaves the warehouse and the lake's earlier files exactly as they were.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    /// <summary>Loads a good file first, so each test can check that nothing changed after the bad run.</summary>
    private async Task<(long Rows, string[] LakeFiles)> LoadGoodDataAsync(string pipelineOptions = "")
    {
        project.Write("data/orders.csv", "id,note\n1,first\n2,\"second, with comma\"\n").WithPipelines($"""
              orders:
                source: local
                files: "orders.csv"
                mode: replace
            {pipelineOptions}
            """);
        var good = await project.RunAsync("run");
        good.ExitCode.ShouldBe(0, good.ToString());
        return ((long)project.Scalar("select count(*) from orders")!, project.LakeFiles("*"));
    }

    private async Task ShouldFailAndChangeNothing((long Rows, string[] LakeFiles) before, int exitCode, params string[] messageParts)
    {
        var beforeBytes = before.LakeFiles.Select(File.ReadAllBytes).ToList();
        var result = await project.RunAsync("run");

        result.ExitCode.ShouldBe(exitCode, result.ToString());
        foreach (var part in messageParts)
        {
            result.Error.ShouldContain(part, Case.Insensitive, result.ToString());
        }

        // Said once: not as a log line during the run and again after the summary.
        result.Error.Split('\n').Count(line => line.StartsWith("error: ", StringComparison.Ordinal)).ShouldBe(1, result.ToString());

        project.Scalar("select count(*) from orders").ShouldBe(before.Rows);
        project.Scalar("select string_agg(note, '|' order by id) from orders").ShouldBe("first|second, with comma");
        project.LakeFiles("*.parquet").Length.ShouldBe(before.LakeFiles.Count(f => f.EndsWith(".parquet", StringComparison.Ordinal)));
        for (var i = 0; i < before.LakeFiles.Length; i++)
        {
            File.ReadAllBytes(before.LakeFiles[i]).ShouldBe(beforeBytes[i]);
        }

        Directory.GetFiles(project.Lake, "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task UnterminatedQuote_NamesFileAndLine()
    {
        var before = await LoadGoodDataAsync();
        project.Write("data/orders.csv", "id,note\n1,first\n2,\"never closed\n3,third\n");
        await ShouldFailAndChangeNothing(before, 1, "orders.csv", "line 3", "never closed");
    }

    [Fact]
    public async Task RowWithTooManyFields_NamesFileAndLine()
    {
        var before = await LoadGoodDataAsync();
        project.Write("data/orders.csv", "id,note\n1,first\n2,second,extra\n");
        await ShouldFailAndChangeNothing(before, 1, "orders.csv", "line 3", "3 fields");
    }

    [Fact]
    public async Task TooManyFieldsDeepInALargeFile_NamesTheLine()
    {
        var before = await LoadGoodDataAsync();
        var lines = Enumerable.Range(1, 50_000).Select(i => $"{i},note {i}").ToList();
        lines.Insert(40_000, "40001,bad,row");
        project.Write("data/orders.csv", "id,note\n" + string.Join("\n", lines) + "\n");
        await ShouldFailAndChangeNothing(before, 1, "orders.csv", "line 40002");
    }

    [Fact]
    public async Task MalformedJson_NamesTheLineAndColumn()
    {
        var before = await LoadGoodDataAsync();
        project.Write("data/orders.json", "[\n{\"id\": 3, \"note\": \"third\"},\n{\"id\": 4 \"note\": \"fourth\"}\n]\n");
        project.Write("wharf.yml", File.ReadAllText(Path.Combine(project.Root, "wharf.yml")).Replace("\"orders.csv\"", "\"orders.json\"", StringComparison.Ordinal));
        await ShouldFailAndChangeNothing(before, 1, "orders.json, line 3, column 10");
    }

    [Fact]
    public async Task Latin1File_NamesTheLineAndColumn_AndTheEncodingToSet()
    {
        var before = await LoadGoodDataAsync();
        File.WriteAllBytes(Path.Combine(project.Root, "data", "orders.csv"), [.. "id,note\n1,first\n2,"u8, .. System.Text.Encoding.Latin1.GetBytes("José")]);
        await ShouldFailAndChangeNothing(before, 1, "orders.csv, line 3, column 6: the byte 0xE9 is not UTF-8", "csv: { encoding: latin-1 }");
    }

    [Fact]
    public async Task MissingFile_NamesIt()
    {
        var before = await LoadGoodDataAsync();
        File.Delete(Path.Combine(project.Root, "data", "orders.csv"));
        await ShouldFailAndChangeNothing(before, 1, "orders.csv", "does not exist");
    }

    [Fact]
    public async Task EmptyGlob_SaysNothingMatched()
    {
        var before = await LoadGoodDataAsync();
        project.Write("wharf.yml", File.ReadAllText(Path.Combine(project.Root, "wharf.yml")).Replace("\"orders.csv\"", "\"incoming/*.csv\"", StringComparison.Ordinal));
        await ShouldFailAndChangeNothing(before, 1, "incoming/*.csv", "no file matches");
    }

    [Fact]
    public async Task FileThatIsNotWhatItsExtensionSays_NamesTheFile()
    {
        var before = await LoadGoodDataAsync();
        project.Write("data/orders.parquet", "id,note\n1,this is a csv\n");
        project.Write("wharf.yml", File.ReadAllText(Path.Combine(project.Root, "wharf.yml")).Replace("\"orders.csv\"", "\"orders.parquet\"", StringComparison.Ordinal));
        await ShouldFailAndChangeNothing(before, 1, "orders.parquet", "parquet");
    }

    [Fact]
    public async Task YamlTypo_ExitsWith2_NamingLineAndColumnAndTheFix()
    {
        var before = await LoadGoodDataAsync();
        project.Write("wharf.yml", File.ReadAllText(Path.Combine(project.Root, "wharf.yml")).Replace("mode: replace", "mdoe: replace", StringComparison.Ordinal));
        await ShouldFailAndChangeNothing(before, 2, "wharf.yml:9:5", "unknown key 'mdoe'", "Did you mean 'mode'");
    }

    [Theory]
    [InlineData("my orders", "my_orders")]
    [InlineData("o'rders\\\"x", "o_rders_x")]
    public async Task TableNameWithSpacesOrQuotes_ExitsWith2_WithASuggestion(string table, string suggestion)
    {
        var before = await LoadGoodDataAsync();
        project.Write("wharf.yml", File.ReadAllText(Path.Combine(project.Root, "wharf.yml"))
            .Replace("mode: replace", $"mode: replace\n    table: \"{table}\"", StringComparison.Ordinal));
        await ShouldFailAndChangeNothing(before, 2, "wharf.yml:10:12", "letters, digits and underscores", $"Try '{suggestion}'");
    }

    [Fact]
    public async Task FailedRun_IsRecordedInTheAudit_WithTheError()
    {
        await LoadGoodDataAsync();
        project.Write("data/orders.csv", "id,note\n1,\"open\n");
        (await project.RunAsync("run")).ExitCode.ShouldBe(1);

        project.Scalar("select status from _wharf.runs order by started_at desc limit 1").ShouldBe("failed");
        ((string)project.Scalar("select error from _wharf.runs order by started_at desc limit 1")!).ShouldContain("orders.csv");
        project.Scalar("select rows_loaded from _wharf.runs order by started_at desc limit 1").ShouldBe(0L);
    }

    [Fact]
    public async Task UnknownPipelineName_ExitsWith2()
    {
        await LoadGoodDataAsync();
        var result = await project.RunAsync("run", "nope");
        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("no pipeline named 'nope'");
    }
}
