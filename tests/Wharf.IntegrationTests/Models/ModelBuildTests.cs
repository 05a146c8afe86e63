using Wharf.IntegrationTests.Postgres;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Quality;

namespace Wharf.IntegrationTests.Models;

/// <summary>
/// <c>wharf build</c> on examples/jaffle_shop, a dbt project in the classic tutorial's style
/// (seeds → staging views → marts, a loop over payment methods, an ephemeral model, an incremental
/// one, YAML tests, a doc block, a singular test), on DuckDB and on PostgreSQL.
/// </summary>
public sealed class ModelBuildTests(PostgresServer postgres)
{
    private const string Marts = """
        select customer_id, first_name, last_name, first_order, most_recent_order, number_of_orders, customer_lifetime_value from main.customers order by customer_id
        """;

    private async Task<ModelHarness> OnAsync(string warehouse) => warehouse == "duckdb"
        ? new ModelHarness()
        : new ModelHarness((await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken)).Url);

    [Fact]
    public async Task The_dbt_project_builds_unchanged_with_identical_results_on_both_warehouses()
    {
        using var duck = await OnAsync("duckdb");
        using var pg = await OnAsync("postgres");

        var built = await duck.BuildAsync();
        var builtOnPostgres = await pg.BuildAsync();

        foreach (var summary in new[] { built, builtOnPostgres })
        {
            summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Select(r => $"{r.Name}: {r.Message}")));
            summary.Results.Select(r => (r.Kind, r.Name)).Order().ShouldBe(new[]
            {
                ("model", "customers"), ("model", "order_payments"), ("model", "order_status_daily"), ("model", "orders"),
                ("model", "stg_customers"), ("model", "stg_orders"), ("model", "stg_payments"),
                ("seed", "raw_customers"), ("seed", "raw_orders"), ("seed", "raw_payments"), ("test", "assert_payments_match_orders"),
            }.Order());
            summary.Results.Single(r => r.Name == "orders").Record!.Checks.Select(c => c.Status).ShouldAllBe(s => s == CheckStatus.Passed);
        }

        foreach (var sql in new[] { Marts, "select * from main.orders order by order_id", "select * from main.order_status_daily order by order_date, status" })
        {
            var rows = await duck.RowsAsync(sql);
            rows.ShouldNotBeEmpty();
            (await pg.RowsAsync(sql)).ShouldBe(rows, sql);
        }

        // The loop over var('payment_methods') made a column per method; the amounts add up.
        (await duck.RowsAsync("select count(*) from main.orders where amount <> credit_card_amount + coupon_amount + bank_transfer_amount + gift_card_amount")).ShouldBe(["0"]);
        (await duck.RowsAsync("select sum(amount) * 100 from main.orders")).ShouldBe(await duck.RowsAsync("select sum(amount) from main.raw_payments"));
        // The ephemeral model is no relation; the views are views; every build is in the audit.
        (await duck.RowsAsync("select count(*) from information_schema.tables where table_name = 'order_payments'")).ShouldBe(["0"]);
        (await pg.RowsAsync("select table_name from information_schema.views where table_schema = 'main' order by 1")).ShouldBe(["stg_customers", "stg_orders", "stg_payments"]);
        (await pg.RowsAsync("select kind, count(*) from _wharf.runs group by kind order by kind")).ShouldBe(["model|7", "seed|3", "test|1"]);
        File.ReadAllText(Path.Combine(duck.Root, "target", "compiled", "models", "marts", "orders.sql")).ShouldContain("__wharf_cte__order_payments AS (");
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task A_second_build_merges_the_incremental_model_and_replaces_seeds_under_their_views(string warehouse)
    {
        using var project = await OnAsync(warehouse);
        (await project.BuildAsync()).Succeeded.ShouldBeTrue();

        // Two new orders, on the last day and the day after, and one more payment for an order of the last day.
        File.AppendAllText(project.File_("seeds/raw_orders.csv"), "61,3,2018-05-03,placed\n62,4,2018-05-04,completed\n");
        File.AppendAllText(project.File_("seeds/raw_payments.csv"), "100,61,credit_card,1250\n101,62,coupon,300\n102,60,gift_card,500\n");
        var second = await project.BuildAsync();

        second.Succeeded.ShouldBeTrue(string.Join("\n", second.Results.Select(r => $"{r.Name}: {r.Message}")));
        var daily = second.Results.Single(r => r.Name == "order_status_daily").Record!;
        daily.Mode.ShouldBe("incremental");
        (daily.RowsInserted + daily.RowsUpdated).ShouldBeLessThan(daily.RowsLoaded, "only the days from the latest one on are recomputed");
        const string Recomputed = "select order_date, status, count(*), sum(amount) from main.orders group by order_date, status order by 1, 2";
        (await project.RowsAsync("select * from main.order_status_daily order by 1, 2")).ShouldBe(await project.RowsAsync(Recomputed));
        (await project.RowsAsync("select count(*) from main.stg_orders")).ShouldBe(["62"]);

        var rebuilt = await project.BuildAsync(fullRefresh: true, "order_status_daily");
        rebuilt.Results.Select(r => r.Name).ShouldBe(["order_status_daily"], "a test is selected with the models it reads");
        rebuilt.Results.Single().Record!.RowsInserted.ShouldBe(rebuilt.Results.Single().Record!.RowsLoaded);
        (await project.RowsAsync("select * from main.order_status_daily order by 1, 2")).ShouldBe(await project.RowsAsync(Recomputed));
    }

    [Fact]
    public async Task A_failing_error_test_skips_what_reads_the_model_and_a_warn_test_does_not()
    {
        using var project = await OnAsync("duckdb");
        File.AppendAllText(project.File_("seeds/raw_orders.csv"), "61,3,2018-04-30,lost\n");
        File.WriteAllText(project.File_("models/staging/stg_orders.yml"), """
            version: 2
            models:
              - name: stg_orders
                columns:
                  - name: status
                    tests:
                      - accepted_values: { values: [placed, shipped, completed, return_pending, returned] }
                  - name: customer_id
                    tests:
                      - not_null: { config: { severity: warn } }
            """);

        var summary = await project.BuildAsync();

        summary.Succeeded.ShouldBeFalse();
        var failed = summary.Results.Single(r => r.Name == "stg_orders");
        failed.Status.ShouldBe(BuildStatus.Failed);
        failed.Message.ShouldNotBeNull().ShouldContain("1 of 61 rows");
        summary.Results.Where(r => r.Name is "orders" or "customers" or "order_status_daily" or "assert_payments_match_orders")
            .ShouldAllBe(r => r.Status == BuildStatus.Skipped);
        summary.Results.Single(r => r.Name == "stg_payments").Status.ShouldBe(BuildStatus.Succeeded);
        (await project.RowsAsync("select status from _wharf.runs where pipeline = 'stg_orders'")).ShouldBe(["failed"]);
    }

    [Fact]
    public async Task A_ref_to_nothing_names_the_file_line_and_column_and_builds_nothing()
    {
        using var project = await OnAsync("duckdb");
        File.WriteAllText(project.File_("models/marts/customers.sql"), "select *\nfrom {{ ref('stg_custmers') }}\n");

        var error = await Should.ThrowAsync<ProjectFileException>(() => project.BuildAsync());

        error.Message.ShouldBe("models/marts/customers.sql:2:9: there is no model or seed named 'stg_custmers'. Did you mean 'stg_customers'?");
        (await project.RowsAsync("select count(*) from information_schema.tables where table_schema = 'main'")).ShouldBe(["0"]);
        (await project.RowsAsync("select count(*) from _wharf.runs")).ShouldBe(["0"]);
    }

    [Fact]
    public async Task Models_that_ref_each_other_are_a_cycle_named_in_full()
    {
        using var project = await OnAsync("duckdb");
        File.WriteAllText(project.File_("models/staging/stg_customers.sql"), "select * from {{ ref('customers') }}\n");

        var error = await Should.ThrowAsync<ProjectFileException>(() => project.BuildAsync());

        error.Message.ShouldContain("models ref each other in a cycle: stg_customers → customers → stg_customers");
    }
}
