using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.IntegrationTests.Postgres;
using Wharf.Models;
using Wharf.Pipelines;
using Wharf.Projects;
using Wharf.Quality;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Models;

/// <summary>
/// examples/retail end to end: the SQLite shop synced, then staging views → star schema →
/// KPIs and the cash-flow forecast, every key and relationship tested, on both warehouses with
/// the same numbers.
/// </summary>
public sealed class RetailExampleTests(PostgresServer postgres)
{
    private static readonly string[] Marts =
    [
        "select * from marts.kpi_monthly_revenue order by month",
        "select * from marts.kpi_revenue_by_category order by category",
        "select * from marts.kpi_repeat_purchase_rate order by cohort_year",
        "select * from marts.kpi_payment_mix order by month",
        "select * from marts.kpi_top_products order by revenue desc, product_id",
        "select * from marts.cashflow_forecast order by month, kind",
        "select count(*), sum(net_amount), min(order_date), max(order_date) from marts.fct_orders",
        "select count(*), min(date_day), max(date_day), sum(case when is_weekend then 1 else 0 end) from marts.dim_date",
    ];

    [Fact]
    public async Task The_shop_is_synced_modelled_and_tested_with_the_same_numbers_on_DuckDB_and_PostgreSQL()
    {
        using var duck = new ModelHarness(example: "retail");
        using var pg = new ModelHarness(example: "retail");
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        File.WriteAllText(pg.File_("wharf.yml"), File.ReadAllText(pg.File_("wharf.yml")).Replace("${RETAIL_DW:-duckdb:warehouse.duckdb}", $"\"{database.Url}\"", StringComparison.Ordinal));

        foreach (var project in new[] { duck, pg })
        {
            await SyncAsync(project);
            var summary = await project.BuildAsync();
            summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Where(r => r.Message is not null).Select(r => $"{r.Name}: {r.Message}")));
            summary.Results.Count(r => r.Kind == "model").ShouldBe(19);
            // The exports of wharf.yml ran after the marts they read.
            summary.Results.Where(r => r.Kind == "export").Select(r => (r.Name, r.Status)).Order().ShouldBe([
                ("cashflow_forecast_xlsx", BuildStatus.Succeeded), ("monthly_revenue_html", BuildStatus.Succeeded), ("monthly_revenue_xlsx", BuildStatus.Succeeded),
                ("revenue_by_category_md", BuildStatus.Succeeded), ("top_products_md", BuildStatus.Succeeded)]);
            (await File.ReadAllLinesAsync(project.File_("reports/kpi_revenue_by_category.md"), TestContext.Current.CancellationToken)).Length.ShouldBe(2 + 5);
            using (var workbook = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(project.File_("reports/kpi_monthly_revenue.xlsx"), false))
            {
                workbook.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().Count().ShouldBe(1 + 47);
            }
            // The deviation check is a warning, not a failure: the months it flags are listed.
            var revenue = summary.Results.Single(r => r.Name == "kpi_monthly_revenue");
            revenue.Status.ShouldBe(BuildStatus.Warned);
            revenue.Record!.Checks.Single(c => c.Name == "revenue_deviation").Status.ShouldBe(CheckStatus.Warned);
            (await project.RowsAsync("select count(*) from marts.kpi_monthly_revenue where is_deviation")).ShouldBe([revenue.Record.Checks.Single(c => c.Name == "revenue_deviation").FailingRows.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            // Folder configuration put staging views and mart tables in their schemas.
            (await project.RowsAsync("select count(*) from information_schema.views where table_schema = 'staging'")).ShouldBe(["6"]);
            (await project.RowsAsync("select count(*) from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE'")).ShouldBe(["13"]);
        }

        foreach (var sql in Marts)
        {
            var rows = await duck.RowsAsync(sql);
            rows.ShouldNotBeEmpty(sql);
            (await pg.RowsAsync(sql)).ShouldBe(rows, sql);
        }

        // The forecast continues the actual months by the trend, three months on.
        (await duck.RowsAsync("select count(*) from marts.cashflow_forecast where kind = 'forecast'")).ShouldBe(["3"]);
        (await duck.RowsAsync("select sum(net_amount) from marts.fct_orders where status <> 'cancelled'"))
            .ShouldBe(await duck.RowsAsync("select sum(revenue) from marts.kpi_monthly_revenue"));
    }

    /// <summary>Seeds the SQLite shop from seed.sql and runs the example's pipelines, as its README says.</summary>
    private static async Task SyncAsync(ModelHarness project)
    {
        await using (var shop = new SqliteConnection($"Data Source={project.File_("shop.db")}"))
        {
            await shop.OpenAsync(TestContext.Current.CancellationToken);
            await using var seed = shop.CreateCommand();
            seed.CommandText = await File.ReadAllTextAsync(project.File_("seed.sql"), TestContext.Current.CancellationToken);
            await seed.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        SqliteConnection.ClearAllPools();
        var settings = await ProjectLoader.LoadAsync(project.Root, cancellationToken: TestContext.Current.CancellationToken);
        using var warehouse = await WarehouseFactory.OpenAsync(settings.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        var run = await new Runner(settings, warehouse, TimeProvider.System, NullLogger.Instance).RunAsync([], null, TestContext.Current.CancellationToken);
        run.Succeeded.ShouldBeTrue(string.Join("\n", run.Streams.Select(s => s.Error)));
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}
