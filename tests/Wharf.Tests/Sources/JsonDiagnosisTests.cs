using System.IO.Compression;
using System.Text;
using Wharf.Sources.Files;

namespace Wharf.Tests.Sources;

/// <summary>Where a JSON file stops being JSON, as a line and column a user can go to.</summary>
public sealed class JsonDiagnosisTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wharf-json-");

    public void Dispose() => folder.Delete(recursive: true);

    private string Write(string text, string extension = ".json")
    {
        var path = Path.Combine(folder.FullName, $"{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    [Theory]
    [InlineData("[\n{\"id\": 1},\n{\"id\": 2}\n]\n", false)]
    [InlineData("{\"id\": 1}\n{\"id\": 2}", false)]
    [InlineData("{\"id\": 1} {\"id\": 2}\n", false)]
    [InlineData("{\"id\": 1}\n\n{\"id\": 2}\n", true)]
    [InlineData("[{\"id\": 1,},]", false)]
    [InlineData("", true)]
    public void Find_WhenTheFileIsJson_ReturnsNull(string text, bool newlineDelimited) =>
        JsonDiagnosis.Find(Write(text), newlineDelimited).ShouldBeNull();

    [Fact]
    public void Find_InAnArray_NamesTheLineAndColumnOfTheBadCharacter()
    {
        var problem = JsonDiagnosis.Find(Write("[\n{\"id\":1},\n{\"id\":2},\n{\"id\":3 \"x\"}\n]\n"), newlineDelimited: false)!;

        problem.Line.ShouldBe(4);
        problem.Column.ShouldBe(9);
        problem.Message.ShouldContain("after a value");
    }

    [Fact]
    public void Find_InNewlineDelimitedJson_NamesTheLineThatIsCutShort_NotTheNext()
    {
        var problem = JsonDiagnosis.Find(Write("{\"id\":1}\n{\"id\":2}\n{\"id\":3,\n{\"id\":4}\n", ".ndjson"), newlineDelimited: true)!;

        problem.Line.ShouldBe(3);
        problem.Message.ShouldStartWith("the line ends before its value does");
    }

    [Fact]
    public void Find_InNewlineDelimitedJson_TwoValuesOnALine_IsAProblemAtTheSecond()
    {
        var problem = JsonDiagnosis.Find(Write("{\"id\":1}\n{\"id\":2} {\"id\":3}\n", ".ndjson"), newlineDelimited: true)!;

        problem.Line.ShouldBe(2);
        problem.Column.ShouldBe(10);
    }

    [Fact]
    public void Find_CountsColumnsInCharacters_NotBytes()
    {
        var problem = JsonDiagnosis.Find(Write("[{\"name\": \"ação\", x}]"), newlineDelimited: false)!;

        problem.Line.ShouldBe(1);
        problem.Column.ShouldBe(19);
    }

    [Fact]
    public void Find_DeepInAFileLargerThanItsBuffer_CountsEveryLine()
    {
        var lines = Enumerable.Range(1, 30_000).Select(i => $"{{\"id\": {i}, \"note\": \"{new string('x', i % 50)}\"}},").ToList();
        lines.Insert(25_000, "{\"id\": 0, \"note\": \"broken\" ");
        var problem = JsonDiagnosis.Find(Write("[\n" + string.Join("\n", lines) + "\n{\"id\": -1}\n]\n"), newlineDelimited: false)!;

        problem.Line.ShouldBe(25_003);
        problem.Column.ShouldBe(1);
    }

    [Fact]
    public void Find_InAGzippedFile_ReadsItDecompressed()
    {
        var path = Path.Combine(folder.FullName, "rows.ndjson.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write("{\"id\":1}\n{\"id\":\n"u8);
        }

        JsonDiagnosis.Find(path, newlineDelimited: true)!.Line.ShouldBe(2);
    }
}
