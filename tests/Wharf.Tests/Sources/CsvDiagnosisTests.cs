using System.Text;
using Wharf.DuckDb;
using Wharf.Sources.Files;

namespace Wharf.Tests.Sources;

public sealed class CsvDiagnosisTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wharf-csv-");

    public void Dispose() => folder.Delete(recursive: true);

    private string Write(string text, Encoding? encoding = null)
    {
        var path = Path.Combine(folder.FullName, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private FileProblem? Find(string text, char delimiter = ',', char quote = '"', char escape = '"', int skip = 0) =>
        CsvDiagnosis.Find(Write(text), delimiter, quote, escape, skip: skip);

    [Theory]
    [InlineData("id,name\n1,Ana\n2,Bruno\n")]
    [InlineData("id,name\n1,Ana\n2,Bruno")]
    [InlineData("id,name\r\n1,Ana\r\n2,Bruno\r\n")]
    [InlineData("id,name\r\n1,Ana\r\n2,Bruno")]
    [InlineData("id,name\n1,\"Silva, Ana\"\n")]
    [InlineData("id,name\n1,\"Chen \"\"CC\"\" Li\"\n")]
    [InlineData("id,name\n1,\"\"\n2,\"\"\"\"\n")]
    [InlineData("id,note\n1,\"first line\nsecond line\"\n2,\"a\r\nb\"\r\n")]
    [InlineData("id,name\n\n1,Ana\n\n")]
    [InlineData("id,name\n1,\n2,\n")]
    [InlineData("")]
    public void Find_WhenFileIsValid_ReturnsNull(string text)
    {
        Find(text).ShouldBeNull();
    }

    [Fact]
    public void Find_WhenDelimiterAndQuoteAreCustom_UsesThem()
    {
        Find("id;name\n1;'a;b'\n2;'c, d'\n", delimiter: ';', quote: '\'', escape: '\'').ShouldBeNull();
        Find("id\tname\n1\t\"x\ty\"\n2\tz\n", delimiter: '\t').ShouldBeNull();
    }

    [Fact]
    public void Find_WhenEscapeIsABackslash_SkipsEscapedQuotes()
    {
        Find("id,name\n1,\"say \\\"hi\\\", then go\"\n2,b\n", escape: '\\').ShouldBeNull();
    }

    [Fact]
    public void Find_WhenEscapeIsABackslashAndAFieldEndsWithAnEscapedBackslash_ReturnsNull()
    {
        var path = Write("path,size\n\"C:\\\\\",1\n\"D:\\\\data\",2\n");

        // DuckDB reads "C:\\" as C:\ — the second backslash does not escape the closing quote.
        using (var connection = DuckDbConnections.Open(null))
        {
            connection.Scalar($"SELECT string_agg(path, '|') FROM read_csv('{path}', delim = ',', quote = '\"', escape = '\\', header = true)")
                .ShouldBe("C:\\|D:\\data");
        }

        CsvDiagnosis.Find(path, ',', '"', '\\').ShouldBeNull();
    }

    [Fact]
    public void Find_WhenAQuoteIsNeverClosed_PointsAtTheOpeningQuote()
    {
        var problem = Find("id,name\n1,ok\n2,\"broken\n3,fine\n");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(3);
        problem.Column.ShouldBe(3);
        problem.Message.ShouldContain("never closed");
    }

    [Fact]
    public void Find_WhenAQuoteIsNeverClosedAfterAMultiLineField_CountsEditorLines()
    {
        var problem = Find("id,note\r\n1,\"a\r\nb\r\nc\"\r\n2,  \"open\r\n");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(5);
        problem.Column.ShouldBe(5);
    }

    [Fact]
    public void Find_CountsColumnsInCharactersNotBytes()
    {
        var path = Write("name,city\ncafé,\"São Paulo\n");

        var problem = CsvDiagnosis.Find(path, ',', '"', '"');

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(2);
        problem.Column.ShouldBe(6);
    }

    [Fact]
    public void Find_WhenFileStartsWithAByteOrderMark_DoesNotCountIt()
    {
        var path = Write("\"open,b\n1,2\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var problem = CsvDiagnosis.Find(path, ',', '"', '"');

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(1);
        problem.Column.ShouldBe(1);
    }

    [Fact]
    public void Find_WhenEncodingIsLatin1_ReadsTheFileInIt()
    {
        var path = Write("name,city\ncafé,\"Zürich\n", Encoding.Latin1);

        var problem = CsvDiagnosis.Find(path, ',', '"', '"', Encoding.Latin1);

        problem.ShouldNotBeNull();
        problem.Column.ShouldBe(6);
    }

    [Fact]
    public void Find_WhenARowHasTooManyFields_ReportsThatRowsLine()
    {
        var problem = Find("id,name\n1,a\n2,b,extra\n3,c\n");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(3);
        problem.Column.ShouldBe(1);
        problem.Message.ShouldBe("this row has 3 fields but the first row has 2");
    }

    [Fact]
    public void Find_WhenARowHasTooFewFields_ReportsThatRowsLine()
    {
        var problem = Find("id,name,email\n1,a,a@x\n2,b\n");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(3);
        problem.Message.ShouldBe("this row has 2 fields but the first row has 3");
    }

    [Fact]
    public void Find_WhenTheLastRowHasNoNewlineAndTooFewFields_ReportsIt()
    {
        var problem = Find("id,name\n1,a\n2");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(3);
    }

    [Fact]
    public void Find_WhenMultiLineFieldsComeBefore_CountsEveryLineOfThem()
    {
        var problem = Find("id,note\n1,\"a\nb\"\n\n2,\"c\r\nd\r\ne\"\n3,x,extra\n");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(8);
    }

    [Fact]
    public void Find_WhenDelimiterIsInsideQuotes_DoesNotCountItAsAField()
    {
        var problem = Find("id,name\n1,\"a,b,c\"\n2,\"d\",e\n");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(3);
        problem.Message.ShouldContain("3 fields");
    }

    [Fact]
    public void Find_WhenLinesEndWithCarriageReturnsOnly_CountsThemAsLines()
    {
        var problem = Find("a,b\r1,2\r3\r");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(3);
    }

    [Fact]
    public void Find_WhenLinesAreSkipped_StartsAtTheHeaderButKeepsFileLineNumbers()
    {
        const string text = "Exported by ShopTool\nrows: 3\nid,name\n1,a\n2,b,extra\n";

        var problem = Find(text, skip: 2);

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(5);
        problem.Message.ShouldContain("first row has 2");
    }

    [Fact]
    public void Find_WhenSkippedLinesHoldTheOnlyProblem_ReturnsNull()
    {
        Find("title, with, commas\n\"unclosed\nid,name\n1,a\n", skip: 2).ShouldBeNull();
    }

    [Fact]
    public void Find_WhenLinesAreNotSkipped_SeesThePreamble()
    {
        var problem = Find("Exported by ShopTool\nid,name\n1,a\n");

        problem.ShouldNotBeNull();
        problem.Line.ShouldBe(2);
    }
}
