using Wharf.Sources.Files;

namespace Wharf.Tests.Sources;

public sealed class FileErrorsTests
{
    [Fact]
    public void Condense_WhenMessageHasASqlExcerpt_DropsIt()
    {
        const string message = "Binder Error: Referenced column \"amount\" not found in FROM clause!\nLINE 1: SELECT amount FROM read_csv('orders.csv')\n               ^";

        Wharf.DuckDb.DuckDbException.Condense(message).ShouldBe("Binder Error: Referenced column \"amount\" not found in FROM clause!.");
    }

    [Fact]
    public void Condense_WhenMessageListsPossibleFixes_KeepsOnlyTheProblem()
    {
        const string message = """
            Invalid Input Error: CSV Error on Line: 3
            Original Line: 2,b,extra
            Expected Number of Columns: 2 Found: 3
            Possible fixes:
            * Enable null padding (null_padding=true) to replace missing values with NULL
            * Enable ignore errors (ignore_errors=true) to skip this row
            * Set the delimiter option
            """;

        Wharf.DuckDb.DuckDbException.Condense(message).ShouldBe(
            "Invalid Input Error: CSV Error on Line: 3; Original Line: 2,b,extra; Expected Number of Columns: 2 Found: 3.");
    }

    [Fact]
    public void Condense_WhenMessageHasABlankLineBeforeTheDetails_StopsThere()
    {
        const string message = "Invalid Input Error: Error when sniffing file \"x.csv\".\nIt was not possible to automatically detect the CSV parsing dialect\n\nThe search space used was:\nDelimiter Candidates: ',', '|', ';', '\\t'";

        Wharf.DuckDb.DuckDbException.Condense(message).ShouldBe(
            "Invalid Input Error: Error when sniffing file \"x.csv\".; It was not possible to automatically detect the CSV parsing dialect.");
    }

    [Fact]
    public void Condense_WhenMessageUsesWindowsLineEndings_TrimsThem()
    {
        Wharf.DuckDb.DuckDbException.Condense("IO Error: No files found\r\nLINE 1: SELECT 1\r\n").ShouldBe("IO Error: No files found.");
    }

    [Fact]
    public void Condense_WhenMessageIsOneSentence_KeepsItWithOneFullStop()
    {
        Wharf.DuckDb.DuckDbException.Condense("IO Error: No files found that match the pattern \"a.csv\".")
            .ShouldBe("IO Error: No files found that match the pattern \"a.csv\".");
        Wharf.DuckDb.DuckDbException.Condense("Conversion Error: Could not convert string 'x' to INT32")
            .ShouldBe("Conversion Error: Could not convert string 'x' to INT32.");
    }
}
