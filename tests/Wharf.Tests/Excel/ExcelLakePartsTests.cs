using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources;
using Wharf.Sources.Files.Excel;

namespace Wharf.Tests.Excel;

/// <summary>
/// A workbook's lake parts written while it is read: a chunk drafted with the types of the rows
/// before it is written again when later rows widen a type or bring a column; the parts end with
/// the extract's columns and every value exact.
/// </summary>
public sealed class ExcelLakePartsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wharf-excel-parts-").FullName;
    private readonly DuckDBConnection workArea = DuckDbConnections.Open(null);

    public void Dispose()
    {
        workArea.Dispose();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task Drafts_TheLaterRowsWidened_AreWrittenAgain_WithTheFinalColumns()
    {
        // x is whole until row 8; "late" has its first value in row 9; a second sheet brings "note".
        object?[][] first = [["id", "x", "late"], .. Enumerable.Range(1, 10).Select(i => new object?[] { i, i == 8 ? 7.5 : i, i >= 9 ? i * 10 : null })];
        var book = TestWorkbook.Write(Path.Combine(root, "book.xlsx"),
            new TestSheet("One", first),
            new TestSheet("Two", [["id", "note"], [11, "last"]]));
        var request = new ExtractRequest(workArea, new LakeWriter(new LakeLayout(Path.Combine(root, "lake")), TimeProvider.System), new LakeTarget("p", "book", "20261206T000000Z-aaaaaa", DateTimeOffset.UnixEpoch));
        var drafted = new List<ExcelChunk>();
        IReadOnlyList<LakeManifest> parts;
        await using (var lake = new ExcelLakeParts(request, TestContext.Current.CancellationToken))
        {
            using var spool = ExcelSpool.Write([book], new ExcelSettings { AllSheets = true }, f => f, chunk =>
            {
                drafted.Add(chunk);
                lake.Add(chunk);
            }, chunkRows: 3);
            parts = await lake.KeepAsync(spool.Columns, [], TestContext.Current.CancellationToken);
        }

        // Chunks of 3 rows: the first two were drafted with x BIGINT and without "late" or "note".
        drafted.Count.ShouldBe(5);
        Types(drafted[0].Columns).ShouldBe("_sheet VARCHAR, id BIGINT, x BIGINT, late VARCHAR");
        string final = "_sheet VARCHAR, id BIGINT, x DOUBLE, late BIGINT, note VARCHAR";
        parts.Select(p => p.Rows).ShouldBe([3, 3, 3, 1, 1]);
        parts.Select(p => string.Join(", ", p.Columns.Select(c => $"{c.Name} {c.Type}"))).ShouldBe(Enumerable.Repeat(final, 5));
        var files = string.Join(", ", parts.Select(p => $"'{Path.Combine(root, "lake", p.File)}'"));
        ((string)workArea.Scalar($"SELECT string_agg(concat_ws('|', _sheet, id, coalesce(x::varchar, '-'), coalesce(late::varchar, '-'), coalesce(note, '-')), ' ' ORDER BY id) FROM read_parquet([{files}])")!)
            .ShouldBe("One|1|1.0|-|- One|2|2.0|-|- One|3|3.0|-|- One|4|4.0|-|- One|5|5.0|-|- One|6|6.0|-|- One|7|7.0|-|- One|8|7.5|-|- One|9|9.0|90|- One|10|10.0|100|- Two|11|-|-|last");
        Directory.GetFiles(Path.Combine(root, "lake"), "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Fact]
    public async Task AReadThatFails_LeavesNoDraftBehind()
    {
        var book = TestWorkbook.Write(Path.Combine(root, "book.xlsx"), new TestSheet("One", [["id"], .. Enumerable.Range(1, 10).Select(i => new object?[] { i })]));
        var request = new ExtractRequest(workArea, new LakeWriter(new LakeLayout(Path.Combine(root, "lake")), TimeProvider.System), new LakeTarget("p", "book", "20261206T000000Z-aaaaaa", DateTimeOffset.UnixEpoch));
        var drafts = 0;
        await using (var lake = new ExcelLakeParts(request, TestContext.Current.CancellationToken))
        {
            using var spool = ExcelSpool.Write([book], new ExcelSettings(), f => f, chunk =>
            {
                lake.Add(chunk);
                drafts++;
            }, chunkRows: 3);

            // The read fails once its chunks are drafted (a later workbook is damaged): nothing is kept.
            while (Drafted() < 4)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        }

        drafts.ShouldBe(4);
        Directory.GetFiles(Path.Combine(root, "lake"), "*", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    private int Drafted() => Directory.Exists(Path.Combine(root, "lake")) ? Directory.GetFiles(Path.Combine(root, "lake"), "*.parquet.tmp", SearchOption.AllDirectories).Length : 0;

    private static string Types(ExtractColumns columns) => string.Join(", ", columns.Columns.Select(c => $"{c.Key} {c.Value}"));
}
