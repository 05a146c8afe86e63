using Npgsql;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Sources;

namespace Wharf.IntegrationTests.Streams;

/// <summary>
/// Exactly once through a crash: <c>wharf run</c> over 50 messages in batches of 10 dies (SIGKILL) at
/// a fail point — a batch in the lake but not loaded, a batch loaded but not committed, a batch
/// committed but not acknowledged, an acknowledgement half sent — and leaves whole batches only; the
/// next run ends with exactly the 50 messages published, none lost and none twice, the messages
/// delivered again merged by their identity. Each message's list of items (a child table) is
/// committed with its batch, so it too is there exactly once.
/// </summary>
public sealed class StreamFaultTests(RabbitMqServer rabbit, NatsServer nats, PostgresServer postgres) : IDisposable
{
    private const int Messages = 50;

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    public static TheoryData<string, string, int> EveryFailPoint()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var broker in new[] { "rabbitmq", "nats" })
        {
            data.Add(broker, "extract.part-written:2", 10); // batch 2 in the lake, not loaded
            data.Add(broker, "load.before-commit:2", 10); // batch 2 written, not committed
            data.Add(broker, "chunk.committed:2", 20); // batch 2 committed, not acknowledged
            data.Add(broker, "stream.acking:2", 20); // batch 2 committed, its acknowledgement under way
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryFailPoint))]
    public async Task KilledAtAFailPoint_NextRunLoadsExactlyWhatWasPublished(string broker, string failPoint, int committed)
    {
        var ct = TestContext.Current.CancellationToken;
        var check = await PublishAsync(broker, warehouse: null);

        var killed = await WharfChild.RunAsync(harness.Root, failPoint, ct, "run");

        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        harness.Scalar("select count(*) from raw.events").ShouldBe((long)committed, "whole batches only");
        harness.Scalar("select count(*) from raw.events__items").ShouldBe(2L * committed, "the lists of the committed batches only");

        await WaitForRedeliveryAsync(broker);
        var again = await WharfChild.RunAsync(harness.Root, null, ct, "run");

        again.ExitCode.ShouldBe(0, again.ToString());
        harness.Scalar("select count(*) from raw.events").ShouldBe((long)Messages);
        harness.Scalar("select count(distinct _message_id) from raw.events").ShouldBe((long)Messages);
        harness.Scalar("select string_agg(cast(order_id as varchar), ',' order by order_id)  from raw.events")
            .ShouldBe(string.Join(",", Enumerable.Range(1, Messages)), "every message published, once");
        var redelivered = (long)harness.Scalar("select count(*) from raw.events where _redelivered")!;
        // Batch 2 came again and was merged, not added. NATS dies after sending half of its
        // acknowledgements, which may or may not have left the client's buffer.
        var least = broker == "nats" && failPoint.StartsWith("stream.acking", StringComparison.Ordinal) ? 5L : 10L;
        redelivered.ShouldBeInRange(least, 10L, "batch 2 (or what of it was not acknowledged) came again and was merged, not added");
        harness.Scalar("select count(*) || ' ' || count(distinct (i._wharf_parent_id, i._wharf_list_idx)) || ' ' || count(e.order_id) || ' ' || count(*) filter (where i.sku = 's' || e.order_id) " +
            "from raw.events__items i left join raw.events e on i._wharf_parent_id = e._wharf_id")
            .ShouldBe($"{2 * Messages} {2 * Messages} {2 * Messages} {Messages}", "two items per message, once each, each with its order");
        await check();
    }

    [Fact]
    public async Task IntoPostgres_CommittedNotAcknowledged_IsNotLoadedTwice()
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        var check = await PublishAsync("rabbitmq", warehouse.Url);

        var killed = await WharfChild.RunAsync(harness.Root, "chunk.committed:3", ct, "run");
        killed.ExitCode.ShouldBe(WharfChild.KilledExitCode, killed.ToString());
        var again = await WharfChild.RunAsync(harness.Root, null, ct, "run");

        again.ExitCode.ShouldBe(0, again.ToString());
        await using var connection = new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select count(*), count(distinct _message_id), sum(order_id), count(*) filter (where _redelivered) from raw.events", connection);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            reader.Read().ShouldBeTrue();
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetDecimal(2), reader.GetInt64(3)).ShouldBe((50L, 50L, (decimal)Published.SumTo(Messages), 10L));
        }

        await using var items = new NpgsqlCommand("select count(*), count(distinct (i._wharf_parent_id, i._wharf_list_idx)), count(e.order_id), sum(i.qty) " +
            "from raw.events__items i left join raw.events e on i._wharf_parent_id = e._wharf_id", connection);
        await using (var reader = await items.ExecuteReaderAsync(ct))
        {
            reader.Read().ShouldBeTrue();
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDecimal(3)).ShouldBe((100L, 100L, 100L, 150m), "two items per message, once each, each with its order");
        }

        await check();
    }

    /// <summary>Publishes the messages and writes the project; returns the check that the broker has nothing left for the pipeline.</summary>
    private async Task<Func<Task>> PublishAsync(string broker, string? warehouse)
    {
        var head = warehouse is null ? "" : $"warehouse: \"{warehouse}\"\n";
        if (broker == "rabbitmq")
        {
            var queue = await rabbit.CreateQueueAsync();
            await rabbit.PublishAsync(queue, Published.RabbitOrders(Messages, withIds: false, withItems: true));
            harness.WithProject($$"""
                {{head}}connections:
                  mq: { type: rabbitmq, url: "{{rabbit.Url}}" }
                pipelines:
                  events: { source: mq, queue: {{queue}}, schema: raw, batch: { max_messages: 10 }, idle_timeout: 1s }
                """);
            return async () => (await rabbit.CountAsync(queue)).ShouldBe(0u, "every message acknowledged");
        }

        var (stream, prefix) = await nats.CreateStreamAsync();
        await nats.PublishAsync(Published.NatsOrders(prefix, Messages, withItems: true));
        harness.WithProject($$"""
            {{head}}connections:
              bus: { type: nats, url: "{{nats.Url}}" }
            pipelines:
              events: { source: bus, stream: {{stream}}, durable: wharf_events, schema: raw, batch: { max_messages: 10 }, idle_timeout: 2s, ack_wait: 2s }
            """);
        return async () => (await nats.ConsumerStateAsync(stream, "wharf_events")).ShouldBe((0ul, 0L), "every message acknowledged");
    }

    /// <summary>RabbitMQ hands back a dead consumer's messages at once; NATS after the consumer's ack_wait (2 s here).</summary>
    private static Task WaitForRedeliveryAsync(string broker) =>
        broker == "nats" ? Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken) : Task.CompletedTask;
}
