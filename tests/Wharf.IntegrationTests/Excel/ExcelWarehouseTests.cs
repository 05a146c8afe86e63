using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Quality;
using Wharf.Tests.Excel;

namespace Wharf.IntegrationTests.Excel;

/// <summary>A workbook of several sheets into each warehouse: the cells' types and values arrive the same in DuckDB and PostgreSQL, and a cursor picks up only new rows.</summary>
public sealed class ExcelWarehouseTests(PostgresServer postgres)
{
    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task EverySheet_WithTypes_AndACursor_IntoEachWarehouse(WarehouseUnderTest warehouse)
    {
        using var project = await QualityProject.CreateAsync(postgres, warehouse);
        var book = Path.Combine(project.Root, "data", "sales.xlsx");
        TestWorkbook.Write(book,
            new TestSheet("North", [["id", "amount", "sold_on", "paid"], [1, 10.25, new DateTime(2026, 3, 1), true], [2, 7, new DateTime(2026, 3, 2), false]]),
            new TestSheet("South", [["id", "amount", "sold_on", "paid"], [3, new Formula("2*5", 10.0), new DateTime(2026, 3, 3), true]]));
        project.Pipelines("""
            sales:
              source: files
              files: "sales.xlsx"
              excel: { sheet: "*" }
              mode: merge
              primary_key: [id]
              cursor: sold_on
            """);

        (await project.RunOkAsync()).For("sales").RowsLoaded.ShouldBe(3);
        (await project.RowsAsync("select _sheet, id, amount, cast(sold_on as varchar), cast(paid as varchar) from main.sales order by id")).ShouldBe([
            "North | 1 | 10.25 | 2026-03-01 | true",
            "North | 2 | 7 | 2026-03-02 | false",
            "South | 3 | 10 | 2026-03-03 | true",
        ]);

        // A new row after the watermark, and an old one changed before it: only the new one loads.
        TestWorkbook.Write(book,
            new TestSheet("North", [["id", "amount", "sold_on", "paid"], [1, 99, new DateTime(2026, 3, 1), true], [2, 7, new DateTime(2026, 3, 2), false]]),
            new TestSheet("South", [["id", "amount", "sold_on", "paid"], [3, 10, new DateTime(2026, 3, 3), true], [4, 1.5, new DateTime(2026, 3, 4), false]]));
        (await project.RunOkAsync()).For("sales").RowsLoaded.ShouldBe(1, "only the row after the watermark");
        (await project.RowsAsync("select id, amount from main.sales order by id")).ShouldBe(["1 | 10.25", "2 | 7", "3 | 10", "4 | 1.5"]);
    }
}
