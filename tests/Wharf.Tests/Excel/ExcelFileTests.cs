using Wharf.Tests.Cli;

namespace Wharf.Tests.Excel;

/// <summary>Excel workbooks as a file format: types from the cells, sheets, header rows, ranges, merged and blank headers, errors that name the workbook and sheet.</summary>
public sealed class ExcelFileTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    private static readonly object?[][] Orders =
    [
        ["id", "name", "price", "qty", "ordered_on", "ordered_at", "paid", "total"],
        [1, "Ana", 10.5, 2, new DateTime(2026, 1, 2), new DateTime(2026, 1, 2, 9, 30, 15), true, new Formula("C2*D2", 21.0)],
        [],
        [2, "Bo \"the\" Builder", 3.25, 4, new DateTime(2026, 2, 28), new DateTime(2026, 2, 28, 23, 59, 59), false, new Formula("C4*D4", 13.0)],
        // An empty text cell is an empty cell (NULL), as is an error cell (#DIV/0!).
        [3, "", 7, null, null, null, null, new ErrorCell("#DIV/0!")],
    ];

    private async Task<WharfProcess.Result> RunAsync(string excel = "", string extra = "")
    {
        var result = await project.WithPipelines($"""
              orders:
                source: local
                files: "*.xlsx"
                table: orders
            {(excel.Length == 0 ? "" : $"    excel: {excel}")}
            {extra}
            """).RunAsync("run");
        return result;
    }

    private List<string> Rows(string sql) => [.. ((string?)project.Scalar($"select string_agg(r, ' / ') from ({sql}) t(r)") ?? "").Split(" / ", StringSplitOptions.RemoveEmptyEntries)];

    [Fact]
    public async Task Cells_GiveTheirTypes_AndEmptyRowsAreGaps()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "orders.xlsx"), new TestSheet("Orders", Orders));

        var run = await RunAsync();

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select column_name || ' ' || data_type from information_schema.columns where table_name = 'orders' and column_name not like '\\_wharf%' escape '\\' order by ordinal_position")
            .ShouldBe(["id BIGINT", "name VARCHAR", "price DOUBLE", "qty BIGINT", "ordered_on DATE", "ordered_at TIMESTAMP", "paid BOOLEAN", "total BIGINT"]);
        Rows("select concat_ws('|', id, coalesce(name, 'NULL'), price, coalesce(qty::varchar, 'NULL'), coalesce(ordered_on::varchar, 'NULL'), coalesce(ordered_at::varchar, 'NULL'), coalesce(paid::varchar, 'NULL'), coalesce(total::varchar, 'NULL')) from orders order by id")
            .ShouldBe([
                "1|Ana|10.5|2|2026-01-02|2026-01-02 09:30:15|true|21",
                "2|Bo \"the\" Builder|3.25|4|2026-02-28|2026-02-28 23:59:59|false|13",
                "3|NULL|7.0|NULL|NULL|NULL|NULL|NULL",
            ]);
    }

    [Fact]
    public async Task TimeOfDayCells_AreTimes_NotTimestampsOnADayBefore1900()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "shifts.xlsx"), new TestSheet("Shifts",
        [
            ["id", "starts"],
            [1, new TimeSpan(12, 0, 0)],
            [2, TimeSpan.Zero],
            [3, new TimeSpan(23, 59, 59)],
        ]));

        var run = await RunAsync();

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select id || ' ' || starts::varchar || ' ' || typeof(starts) from orders order by id")
            .ShouldBe(["1 12:00:00 TIME", "2 00:00:00 TIME", "3 23:59:59 TIME"]);
    }

    [Fact]
    public async Task DeclaredTypes_Override_TheCells()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "orders.xlsx"), new TestSheet("Orders", Orders));

        var run = await RunAsync(extra: "    columns: { price: \"decimal(10,2)\", id: text }");

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select id || ':' || price::varchar || ':' || typeof(price) || ':' || typeof(id) from orders order by id")
            .ShouldBe(["1:10.50:DECIMAL(10,2):VARCHAR", "2:3.25:DECIMAL(10,2):VARCHAR", "3:7.00:DECIMAL(10,2):VARCHAR"]);
    }

    [Fact]
    public async Task EverySheet_WithItsName_ColumnsByName()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "book.xlsx"),
            new TestSheet("North", [["id", "amount"], [1, 10], [2, 20]]),
            new TestSheet("South", [["amount", "id", "note"], [30.5, 3, "late"]]));

        var run = await RunAsync("{ sheet: \"*\" }");

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select concat_ws('|', _sheet, id, amount, coalesce(note, 'NULL')) from orders order by id")
            .ShouldBe(["North|1|10.0|NULL", "North|2|20.0|NULL", "South|3|30.5|late"]);
    }

    [Theory]
    [InlineData("{ sheet: South }", "3")]
    [InlineData("{ sheet: 2 }", "3")]
    [InlineData("{ sheet: \"2024\" }", "9")]
    public async Task ASheet_ByNameOrPosition(string excel, string ids)
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "book.xlsx"),
            new TestSheet("North", [["id"], [1]]), new TestSheet("South", [["id"], [3]]), new TestSheet("2024", [["id"], [9]]));

        var run = await RunAsync(excel);

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select id::varchar from orders").ShouldBe([ids]);
    }

    [Fact]
    public async Task HeaderRow_SkipRows_AndRange_PickTheBlock()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "report.xlsx"), new TestSheet("Report",
        [
            ["Quarterly report"],
            [],
            [null, "region", "sales", "ignored"],
            [null, "", "EUR", null],
            [null, "North", 100, "x"],
            [null, "South", 250, "y"],
            [null, "Total", 350, "z"],
        ]));

        var run = await RunAsync("{ header_row: 3, skip_rows: 1, range: \"B3:C6\" }");

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select region || ':' || sales from orders order by sales").ShouldBe(["North:100", "South:250"]);
        Rows("select column_name from information_schema.columns where table_name = 'orders' and column_name not like '\\_wharf%' escape '\\'").ShouldBe(["region", "sales"]);
    }

    [Fact]
    public async Task MergedBlankAndRepeatedHeaders_GetNames_AndEmptyColumnsGo()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "sales.xlsx"), new TestSheet("Sales",
        [
            ["id", "Sales", null, "id", null, null],
            [1, 10, 11, 5, "kept", null],
        ], "B1:C1"));

        var run = await RunAsync();

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select column_name from information_schema.columns where table_name = 'orders' and column_name not like '\\_wharf%' escape '\\' order by ordinal_position")
            .ShouldBe(["id", "sales", "sales_2", "id_2", "column_e"]);
        Rows("select concat_ws('|', id, sales, sales_2, id_2, column_e) from orders").ShouldBe(["1|10|11|5|kept"]);
    }

    [Fact]
    public async Task AColumnOfNumbersThenText_IsText_WithEveryValue()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "codes.xlsx"), new TestSheet("Codes", [["code"], [101], [2.5], ["A-7"]]));

        var run = await RunAsync();

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select code from orders order by code").ShouldBe(["101", "2.5", "A-7"]);
    }

    [Fact]
    public async Task ABigSheet_IsStreamed_NoMoreMemoryThanTheSameRowsAsCsv()
    {
        // The same 500,000 rows as a workbook and as CSV: what the warehouse load itself holds
        // (DuckDB's buffers) is in both; reading the workbook must add no more than a constant.
        // The workbook's reader (the zip's and the XML reader's buffers) has measured 60–65 MiB
        // over the CSV on a busy CI machine (277 against 212 MiB); a sheet read whole would add
        // its 500,000 rows (well over 100 MiB as .NET objects), which the bound still catches.
        const int Rows = 500_000;
        using var csv = new TempProject();
        TestWorkbook.WriteRows(Path.Combine(project.Root, "data", "rows.xlsx"), Rows);
        csv.Write("data/rows.csv", "id,amount,note,day\n" + string.Concat(Enumerable.Range(1, Rows).Select(i =>
            $"{i},{(i % 1000 / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture)},note {i % 100},{DateTime.FromOADate(45000 + (i % 365)):yyyy-MM-dd}\n")));

        var peaks = new List<long>();
        foreach (var (at, file) in new[] { (project, "rows.xlsx"), (csv, "rows.csv") })
        {
            var run = await at.WithPipelines($"""
                  rows:
                    source: local
                    files: "{file}"
                """).RunAsync("run");
            run.ExitCode.ShouldBe(0, run.ToString());
            at.Scalar("select count(*) from rows").ShouldBe((long)Rows);
            at.Scalar("select sum(id) from rows").ShouldBe((System.Numerics.BigInteger)((long)Rows * (Rows + 1) / 2), customMessage: "every row, once");
            peaks.Add((long)at.Scalar("select peak_memory_bytes from _wharf.runs")!);
        }

        peaks[0].ShouldBeLessThan(peaks[1] + (96L << 20), $"peak with the workbook {peaks[0] >> 20} MiB, with the CSV {peaks[1] >> 20} MiB");
    }

    [Fact]
    public async Task AnXlsWorkbook_TheOlderFormat_IsReadTheSame()
    {
        var workbook = new NPOI.HSSF.UserModel.HSSFWorkbook();
        var sheet = workbook.CreateSheet("Legacy");
        var date = workbook.CreateCellStyle();
        date.DataFormat = workbook.CreateDataFormat().GetFormat("yyyy-mm-dd");
        object[][] rows = [["id", "name", "price", "day"], [1, "Ação ünïcode", 9.99, new DateTime(2026, 5, 17)], [2, "B", 3, new DateTime(2026, 5, 18)]];
        for (var r = 0; r < rows.Length; r++)
        {
            var row = sheet.CreateRow(r);
            for (var c = 0; c < rows[r].Length; c++)
            {
                var cell = row.CreateCell(c);
                switch (rows[r][c])
                {
                    case string text: cell.SetCellValue(text); break;
                    case DateTime day: cell.SetCellValue(day); cell.CellStyle = date; break;
                    case var number: cell.SetCellValue(Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture)); break;
                }
            }
        }

        Directory.CreateDirectory(Path.Combine(project.Root, "data"));
        using (var file = File.Create(Path.Combine(project.Root, "data", "legacy.xls")))
        {
            workbook.Write(file);
        }

        var run = await project.WithPipelines("""
              orders:
                source: local
                files: "*.xls"
            """).RunAsync("run");

        run.ExitCode.ShouldBe(0, run.ToString());
        Rows("select concat_ws('|', id, name, price, day, typeof(day)) from orders order by id")
            .ShouldBe(["1|Ação ünïcode|9.99|2026-05-17|DATE", "2|B|3.0|2026-05-18|DATE"]);
    }

    [Fact]
    public async Task AMissingSheet_ListsTheSheets_AndLoadsNothing()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "book.xlsx"), new TestSheet("North", [["id"], [1]]), new TestSheet("South", [["id"], [3]]));

        var run = await RunAsync("{ sheet: West }");

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("book.xlsx has no sheet named 'West'. Its sheets: 'North', 'South'.");
        project.Scalar("select count(*) from information_schema.tables where table_name = 'orders'").ShouldBe(0L);
    }

    [Fact]
    public async Task ANonWorkbook_IsNamed()
    {
        project.Write("data/broken.xlsx", "this is not a zip file at all");

        var run = await RunAsync();

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("broken.xlsx is not an Excel workbook that can be read, or it is damaged");
        run.Error.ShouldNotContain("bug");
    }

    [Fact]
    public async Task APasswordProtectedWorkbook_IsNamed_AndLoadsNothing()
    {
        // What Excel saves under "Encrypt with Password": an OLE2 container with the agile
        // EncryptionInfo and the EncryptedPackage. No password Wharf could try opens it.
        Directory.CreateDirectory(Path.Combine(project.Root, "data"));
        EncryptedWorkbook.Write(Path.Combine(project.Root, "data", "locked.xlsx"));

        var run = await RunAsync();

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("locked.xlsx is protected by a password, which Wharf cannot open.");
        run.Error.ShouldNotContain("bug");
        project.Scalar("select count(*) from information_schema.tables where table_name = 'orders'").ShouldBe(0L);
    }

    [Fact]
    public async Task ADeclaredTypeACellDoesNotFit_FailsNamingColumnAndValue_AndLoadsNothing()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "orders.xlsx"), new TestSheet("Orders", [["id", "qty"], [1, 2], [2, "lots"], [3, 4]]));

        var run = await RunAsync(extra: "    columns: { qty: integer }");

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("1 value(s) of main.orders.qty do not fit its declared type");
        run.Error.ShouldContain("e.g. 'lots'");
        project.Scalar("select count(*) from information_schema.tables where table_name = 'orders'").ShouldBe(0L);
    }

    [Fact]
    public async Task ARangeRightOfTheSheet_SaysSo()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "narrow.xlsx"), new TestSheet("Only", [["id", "name"], [1, "a"]]));

        var run = await RunAsync("{ range: \"K1:M5\" }");

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("narrow.xlsx, sheet 'Only', has 2 column(s), so range K1:M5 holds nothing.");
    }

    [Fact]
    public async Task AHeaderRowBelowTheSheet_SaysSo()
    {
        TestWorkbook.Write(Path.Combine(project.Root, "data", "short.xlsx"), new TestSheet("Only", [["id"], [1]]));

        var run = await RunAsync("{ header_row: 5 }");

        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("short.xlsx, sheet 'Only', has 2 row(s), so it has no header row 5.");
    }
}
