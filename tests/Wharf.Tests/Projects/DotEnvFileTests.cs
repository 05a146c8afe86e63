using Wharf.Projects;

namespace Wharf.Tests.Projects;

public sealed class DotEnvFileTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private Task<IReadOnlyDictionary<string, string>> ReadAsync(string text)
    {
        folder.WriteDotEnv(text);
        return DotEnvFile.ReadAsync(folder.DotEnvFile, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Read_WhenFileIsMissing_ReturnsNoValues()
    {
        var values = await DotEnvFile.ReadAsync(folder.DotEnvFile, TestContext.Current.CancellationToken);

        values.ShouldBeEmpty();
    }

    [Fact]
    public async Task Read_WhenLinesUseExportQuotesAndComments_ReadsTheValues()
    {
        var values = await ReadAsync("""
            # a comment line

            export API_KEY=abc123
            PLAIN=value # trailing comment
            HASH_IN_VALUE=a#b
            DOUBLE="hello # not a comment"
            SINGLE='raw \n stays'
            ESCAPED="line1\nline2 \"quoted\""
              PADDED  =  spaced out
            EMPTY=
            URL=postgres://u:p@h/db?x=1
            """);

        values.ShouldBe(new Dictionary<string, string>
        {
            ["API_KEY"] = "abc123",
            ["PLAIN"] = "value",
            ["HASH_IN_VALUE"] = "a#b",
            ["DOUBLE"] = "hello # not a comment",
            ["SINGLE"] = "raw \\n stays",
            ["ESCAPED"] = "line1\nline2 \"quoted\"",
            ["PADDED"] = "spaced out",
            ["EMPTY"] = "",
            ["URL"] = "postgres://u:p@h/db?x=1",
        }, ignoreOrder: true);
    }

    [Fact]
    public async Task Read_WhenAQuotedValueIsFollowedByAComment_DropsTheQuotesAndTheComment()
    {
        var values = await ReadAsync("""
            DOUBLE="in quotes" # a comment
            SINGLE='in quotes'   # another
            """);

        values["DOUBLE"].ShouldBe("in quotes");
        values["SINGLE"].ShouldBe("in quotes");
    }

    [Fact]
    public async Task Read_WhenAKeyRepeats_TheLastValueWins()
    {
        var values = await ReadAsync("KEY=first\nKEY=second\n");

        values["KEY"].ShouldBe("second");
    }

    [Fact]
    public async Task Read_WhenKeysDifferInCase_KeepsBoth()
    {
        var values = await ReadAsync("key=lower\nKEY=upper\n");

        values["key"].ShouldBe("lower");
        values["KEY"].ShouldBe("upper");
    }

    [Theory]
    [InlineData("GOOD=1\nno equals here\n", 2)]
    [InlineData("# c\n\n=value\n", 3)]
    [InlineData("export\n", 1)]
    public async Task Read_WhenLineIsNotAnAssignment_ReportsTheFileAndLine(string text, int line)
    {
        var error = await Should.ThrowAsync<ProjectFileException>(() => ReadAsync(text));

        error.File.ShouldBe(folder.DotEnvFile);
        error.Line.ShouldBe(line);
        error.Column.ShouldBe(1);
        error.Problem.ShouldContain("KEY=value");
    }
}
