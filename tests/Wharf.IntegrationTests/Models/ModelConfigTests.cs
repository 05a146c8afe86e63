using Wharf.Models;
using Wharf.Projects;
using Wharf.Quality;

namespace Wharf.IntegrationTests.Models;

/// <summary>Model settings on examples/jaffle_shop (DuckDB): each one does what it says, or is an error naming where it is.</summary>
public sealed class ModelConfigTests
{
    private const string Daily = "models/marts/order_status_daily.sql";

    [Fact]
    public async Task Full_refresh_false_keeps_an_incremental_model_under_full_refresh()
    {
        using var project = new ModelHarness();
        project.Write(Daily, File.ReadAllText(project.File_(Daily)).Replace("unique_key=", "full_refresh=false, unique_key=", StringComparison.Ordinal));
        (await project.BuildAsync()).Succeeded.ShouldBeTrue();
        // A row the model's select would never make again: a rebuild would lose it.
        await project.RowsAsync("insert into main.order_status_daily values (date '1999-01-01', 'kept', 1, 1)");

        var refreshed = await project.BuildAsync(fullRefresh: true, "order_status_daily");

        refreshed.Succeeded.ShouldBeTrue(string.Join("\n", refreshed.Results.Select(r => $"{r.Name}: {r.Message}")));
        refreshed.Results.Single().Record!.Notes.ShouldContain("full_refresh: false, so --full-refresh did not rebuild it");
        (await project.RowsAsync("select status from main.order_status_daily where order_date = date '1999-01-01'")).ShouldBe(["kept"]);
    }

    [Fact]
    public async Task Enabled_false_in_the_models_own_config_disables_it_and_a_ref_to_it_is_an_error()
    {
        using var project = new ModelHarness();
        project.Write(Daily, "{{ config(enabled=false) }}\n" + File.ReadAllText(project.File_(Daily)));

        var summary = await project.BuildAsync();

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Select(r => $"{r.Name}: {r.Message}")));
        summary.Results.ShouldNotContain(r => r.Name == "order_status_daily");
        (await project.RowsAsync("select count(*) from information_schema.tables where table_name = 'order_status_daily'")).ShouldBe(["0"]);

        project.Write("models/marts/daily_totals.sql", "select sum(orders) from {{ ref('order_status_daily') }}\n");
        var error = await Should.ThrowAsync<ProjectFileException>(() => project.BuildAsync());
        error.Message.ShouldContain("there is no model or seed named 'order_status_daily' (it is disabled: enabled: false)");
    }

    [Theory]
    [InlineData("pre_hook='grant select on {{ this }} to reporting'", "'pre_hook' is not supported")]
    [InlineData("post_hook='analyze {{ this }}'", "'post_hook' is not supported")]
    [InlineData("grants={'select': ['reporting']}", "'grants' is not supported")]
    [InlineData("on_schema_change='append_new_columns'", "on_schema_change: 'append_new_columns' is not supported")]
    [InlineData("materialised='table'", "'materialised' is not a model setting")]
    public async Task A_setting_Wharf_does_not_implement_is_an_error_at_its_line_not_ignored(string setting, string problem)
    {
        using var project = new ModelHarness();
        project.Write(Daily, "-- daily\n{{ config(" + setting + ") }}\n" + File.ReadAllText(project.File_(Daily)));

        var error = await Should.ThrowAsync<ProjectFileException>(() => project.BuildAsync());

        (error.File, error.Line).ShouldBe((Daily, 2), error.Message);
        error.Message.ShouldContain(problem);
    }

    [Fact]
    public async Task A_seeds_column_types_is_an_error_not_ignored()
    {
        using var project = new ModelHarness();
        File.AppendAllText(project.File_("dbt_project.yml"), "\nseeds:\n  jaffle_shop:\n    +column_types: { id: varchar }\n");

        var error = await Should.ThrowAsync<ProjectFileException>(() => project.BuildAsync());

        error.Message.ShouldContain("'column_types' is not supported");
    }

    [Theory]
    [InlineData("{ sevrity: warn }", "'sevrity' is not a test setting; use severity, where, tags, meta. Did you mean 'severity'?")]
    [InlineData("{ severity: warn, bogus: 1 }", "'bogus' is not a test setting")]
    [InlineData("{ error_if: '>10' }", "the test setting 'error_if' is not supported")]
    public async Task A_tests_config_key_that_is_unknown_or_not_implemented_is_an_error_at_its_line(string config, string problem)
    {
        using var project = new ModelHarness();
        project.Write("models/staging/stg_orders.yml", $$"""
            version: 2
            models:
              - name: stg_orders
                columns:
                  - name: status
                    tests:
                      - accepted_values: { values: [placed, shipped, completed, return_pending, returned], config: {{config}} }
            """);

        var error = await Should.ThrowAsync<ProjectFileException>(() => project.BuildAsync());

        (error.File, error.Line).ShouldBe(("models/staging/stg_orders.yml", 7), error.Message);
        error.Message.ShouldContain(problem);
    }

    [Fact]
    public async Task A_tests_where_runs_it_over_the_rows_the_condition_keeps()
    {
        using var project = new ModelHarness();
        project.Write("models/staging/stg_orders.yml", """
            version: 2
            models:
              - name: stg_orders
                columns:
                  - name: status
                    tests:
                      - accepted_values: { values: [placed, shipped, completed], config: { where: "status not in ('returned', 'return_pending')" } }
                      - accepted_values: { values: [placed, shipped, completed, return_pending], name: all_orders_status, config: { where: "order_id > 0", severity: warn } }
            """);

        var summary = await project.BuildAsync();

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Results.Select(r => $"{r.Name}: {r.Message}")));
        var checks = summary.Results.Single(r => r.Name == "stg_orders").Record!.Checks;
        checks.Select(c => c.Status).ShouldBe([CheckStatus.Passed, CheckStatus.Warned], "the second keeps the returned orders, which fail it");
    }
}
