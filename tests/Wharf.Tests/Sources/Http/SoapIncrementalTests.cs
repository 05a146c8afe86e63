using System.Collections.Concurrent;
using System.Xml.Linq;
using Wharf.Tests.Cli;
using Wharf.Tests.Nested;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// An incremental SOAP pipeline: the watermark (the greatest <c>updated_at</c> loaded) is written
/// into the envelope's <c>{{ since }}</c>, so the second run asks only for what changed, and the
/// changed record is merged by key. The service filters by the Since element it receives.
/// </summary>
public sealed class SoapIncrementalTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task SecondRun_SendsTheWatermarkInTheEnvelope_AndMergesWhatChanged()
    {
        var orders = new ConcurrentDictionary<int, (string UpdatedAt, string Status)>
        {
            [1] = ("2026-01-02T00:00:00Z", "open"),
            [2] = ("2026-01-03T00:00:00Z", "open"),
        };
        var since = new ConcurrentQueue<string>();
        await using var server = await ApiServer.StartAsync("/Orders.svc", context =>
        {
            XNamespace o = "urn:example:orders";
            var from = XDocument.Parse(context.Body).Descendants(o + "Since").Single().Value;
            since.Enqueue(from);
            var rows = orders.Where(p => string.CompareOrdinal(p.Value.UpdatedAt, from) > 0).OrderBy(p => p.Key)
                .Select(p => $"<o:Order><o:id>{p.Key}</o:id><o:updated_at>{p.Value.UpdatedAt}</o:updated_at><o:status>{p.Value.Status}</o:status></o:Order>");
            return context.Text($"""
                <s:Envelope xmlns:s="{SoapServer.Soap11}" xmlns:o="urn:example:orders">
                  <s:Body><o:ChangedOrdersResponse>{string.Concat(rows)}</o:ChangedOrdersResponse></s:Body>
                </s:Envelope>
                """, "text/xml; charset=utf-8");
        });
        project.Write("wharf.yml", $$$"""
            warehouse: duckdb:warehouse.duckdb
            lake: lake/
            connections:
              shop: { type: soap, endpoint: "{{{server.Url}}}/Orders.svc", action: "urn:example:orders/ChangedOrders" }
            pipelines:
              orders:
                source: shop
                envelope: |
                  <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:o="urn:example:orders">
                    <s:Body><o:ChangedOrders><o:Since>{{ since }}</o:Since></o:ChangedOrders></s:Body>
                  </s:Envelope>
                records: //o:Order
                namespaces: { o: "urn:example:orders" }
                incremental: { param: since, cursor: updated_at, initial: "2026-01-01T00:00:00Z" }
                primary_key: [id]
                mode: merge
            """);

        var first = await project.RunAsync("run");
        orders[1] = ("2026-01-04T00:00:00Z", "shipped");
        var second = await project.RunAsync("run");

        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        since.ShouldBe(["2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"]);
        // ISO times in the text are recognised as times, as in JSON answers.
        project.Rows("SELECT id, strftime(updated_at, '%Y-%m-%d %H:%M'), status FROM orders ORDER BY id").ShouldBe([
            "1 | 2026-01-04 00:00 | shipped",
            "2 | 2026-01-03 00:00 | open",
        ]);
    }
}
