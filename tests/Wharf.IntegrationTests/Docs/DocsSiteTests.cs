using System.Text.RegularExpressions;
using System.Xml.Linq;
using Wharf.Docs;
using Wharf.IntegrationTests.Models;
using Wharf.Models;
using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.IntegrationTests.Docs;

/// <summary><c>wharf docs</c> on the built jaffle_shop: every page there, its facts from the warehouse and the YAML, every link resolving.</summary>
public sealed partial class DocsSiteTests
{
    [GeneratedRegex("(?:href|src)=\"([^\"#]+)\"")]
    private static partial Regex Links();

    [Fact]
    public async Task The_site_documents_every_model_with_columns_tests_sql_and_lineage_and_every_link_resolves()
    {
        using var harness = new ModelHarness();
        (await harness.BuildAsync()).Succeeded.ShouldBeTrue();
        var site = Path.Combine(harness.Root, "site");

        var project = await ProjectLoader.LoadAsync(harness.Root, cancellationToken: TestContext.Current.CancellationToken);
        var models = await ModelProjectReader.ReadAsync(project, TestContext.Current.CancellationToken);
        using (var warehouse = await WarehouseFactory.OpenExistingAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken))
        {
            var runs = await warehouse.ListRunsAsync(1000, null, TestContext.Current.CancellationToken);
            (await new DocsSite(project, models, warehouse, runs).WriteAsync(site, TestContext.Current.CancellationToken)).ShouldBe(7 + 3 + 2);
        }

        var index = await File.ReadAllTextAsync(Path.Combine(site, "index.html"), TestContext.Current.CancellationToken);
        foreach (var model in new[] { "customers", "orders", "order_payments", "order_status_daily", "stg_customers", "stg_orders", "stg_payments" })
        {
            index.ShouldContain($"<a href=\"models/{model}.html\">{model}</a>");
        }

        var orders = await File.ReadAllTextAsync(Path.Combine(site, "models", "orders.html"), TestContext.Current.CancellationToken);
        orders.ShouldContain("table model · main.orders");
        orders.ShouldContain("One row per order, with the amount paid by each method.");
        orders.ShouldContain("placed | ordered, not yet shipped", customMessage: "the doc block of the status column");
        orders.ShouldMatch("<td><code>order_id</code></td><td><code>BIGINT</code></td>");
        orders.ShouldContain("<td class=\"passed\">passed</td>");
        orders.ShouldContain("__wharf_cte__order_payments AS (");
        orders.ShouldContain("<li><a href=\"../models/stg_orders.html\">main.stg_orders</a></li>");
        orders.ShouldContain("<li><a href=\"../models/order_status_daily.html\">main.order_status_daily</a></li>");

        foreach (var page in Directory.EnumerateFiles(site, "*.html", SearchOption.AllDirectories))
        {
            var html = await File.ReadAllTextAsync(page, TestContext.Current.CancellationToken);
            foreach (Match link in Links().Matches(html))
            {
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, System.Net.WebUtility.HtmlDecode(link.Groups[1].Value)));
                File.Exists(target).ShouldBeTrue($"{Path.GetRelativePath(site, page)} links to {link.Groups[1].Value}, which is not there");
            }

            foreach (Match svg in Regex.Matches(html, "<svg.*?</svg>", RegexOptions.Singleline))
            {
                Should.NotThrow(() => XDocument.Parse(svg.Value), $"the SVG of {page} is well-formed XML");
            }
        }
    }
}
