using System.Text;
using NATS.Client.Core;
using RabbitMQ.Client;

namespace Wharf.IntegrationTests.Streams;

/// <summary>The test messages: small JSON orders with a nested customer, the way a shop would publish them.</summary>
internal static class Published
{
    public static byte[] Order(int id) => Encoding.UTF8.GetBytes($$"""{"order_id": {{id}}, "customer": {"name": "c{{id}}"}, "amount": {{id}}.25}""");

    /// <summary>An order with a list of two items (a child table): <c>s&lt;id&gt;</c> (quantity 1) and <c>x</c> (quantity 2).</summary>
    public static byte[] OrderWithItems(int id) =>
        Encoding.UTF8.GetBytes($$"""{"order_id": {{id}}, "customer": {"name": "c{{id}}"}, "items": [{"sku": "s{{id}}", "qty": 1}, {"sku": "x", "qty": 2}]}""");

    /// <summary>Orders 1..count for RabbitMQ; with a message id each when <paramref name="withIds"/>, else identified by their content; with two items each when <paramref name="withItems"/>.</summary>
    public static IEnumerable<(byte[] Body, BasicProperties Properties)> RabbitOrders(int count, bool withIds, bool withItems = false) =>
        Enumerable.Range(1, count).Select(i => (withItems ? OrderWithItems(i) : Order(i), new BasicProperties
        {
            MessageId = withIds ? $"m{i}" : null,
            Timestamp = new AmqpTimestamp(1_700_000_000 + i),
            Headers = new Dictionary<string, object?> { ["source"] = "test", ["n"] = i },
            ContentType = "application/json",
        }));

    /// <summary>Orders 1..count for NATS, on subjects <c>&lt;prefix&gt;.orders.0</c> to <c>.2</c>.</summary>
    public static IEnumerable<(string Subject, byte[] Body, NatsHeaders? Headers)> NatsOrders(string prefix, int count, bool withItems = false) =>
        Enumerable.Range(1, count).Select(i => ($"{prefix}.orders.{i % 3}", withItems ? OrderWithItems(i) : Order(i), (NatsHeaders?)new NatsHeaders { ["source"] = "test" }));

    /// <summary>A body as RabbitMQ sends it, with no properties.</summary>
    public static (byte[] Body, BasicProperties Properties) Raw(string text) => (Encoding.UTF8.GetBytes(text), new BasicProperties());

    /// <summary>Sum of 1..n: the order ids of n orders.</summary>
    public static long SumTo(int n) => (long)n * (n + 1) / 2;
}
