using Wharf.IntegrationTests.Sources;

namespace Wharf.IntegrationTests.Streams;

/// <summary>A RabbitMQ queue into DuckDB: batches committed then acknowledged, metadata, formats, bad payloads, limits.</summary>
public sealed class RabbitMqSourceTests(RabbitMqServer rabbit) : IDisposable
{
    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private void Project(string queue, string settings = "") => harness.WithProject($$"""
        connections:
          mq: { type: rabbitmq, url: "{{rabbit.Url}}" }
        pipelines:
          events:
            source: mq
            queue: {{queue}}
            schema: raw
            batch: { max_messages: 10, max_wait: 5s }
            idle_timeout: 1s
            {{settings.Replace("\n", "\n    ", StringComparison.Ordinal)}}
        """);

    private async Task RunOkAsync()
    {
        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
    }

    [Fact]
    public async Task Json_LoadsEveryMessageOnce_WithItsMetadata_AndAcknowledgesIt()
    {
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, Published.RabbitOrders(25, withIds: true));
        Project(queue);

        await RunOkAsync();

        harness.Scalar("select count(*) from raw.events").ShouldBe(25L);
        harness.Scalar("select cast(sum(order_id) as bigint) from raw.events").ShouldBe(Published.SumTo(25));
        harness.Scalar("select string_agg(_message_id, ',' order by order_id) from raw.events where order_id <= 3").ShouldBe("m1,m2,m3");
        harness.Scalar("select customer__name from raw.events where order_id = 7").ShouldBe("c7");
        harness.Scalar("select amount from raw.events where order_id = 7").ShouldBe(7.25);
        harness.Scalar("select _routing_key from raw.events where order_id = 7").ShouldBe(queue);
        harness.Scalar("select _exchange from raw.events where order_id = 7").ShouldBe("");
        ((string)harness.Scalar("select _headers from raw.events where order_id = 7")!).ShouldStartWith('{' + "\"source\":\"test\",\"n\":\"7\"", Case.Sensitive, "the headers in order, values as text");
        harness.Scalar("select _timestamp from raw.events where order_id = 7").ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1_700_000_007).UtcDateTime);
        harness.Scalar("select count(*) from raw.events where _redelivered").ShouldBe(0L);
        harness.Scalar("select data_type from information_schema.columns where table_name = 'events' and column_name = '_timestamp'").ShouldBe("TIMESTAMP WITH TIME ZONE");
        (await rabbit.CountAsync(queue)).ShouldBe(0u, "every message is acknowledged");
        harness.Scalar("select rows_extracted from _wharf.runs").ShouldBe(25L);
        Directory.GetFiles(Path.Combine(harness.Root, "lake"), "*.parquet", SearchOption.AllDirectories).Length.ShouldBe(3, "25 messages in batches of 10");

        // Drained: the next run finds nothing and changes nothing.
        await RunOkAsync();
        harness.Scalar("select count(*) from raw.events").ShouldBe(25L);
    }

    /// <summary>A broker cannot deliver acknowledged messages again: rebuilding the table from it would lose them.</summary>
    [Fact]
    public async Task FullRefresh_KeepsTheTable_AndLoadsTheNewMessages()
    {
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, Published.RabbitOrders(25, withIds: true));
        Project(queue);
        await RunOkAsync();
        await rabbit.PublishAsync(queue, Published.RabbitOrders(30, withIds: true).Skip(25));

        var summary = await harness.RunAsync(fullRefresh: true);

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        harness.Scalar("select count(*) from raw.events").ShouldBe(30L);
        harness.Scalar("select cast(sum(order_id) as bigint) from raw.events").ShouldBe(Published.SumTo(30));
        (await rabbit.CountAsync(queue)).ShouldBe(0u);
    }

    [Fact]
    public async Task SameMessageTwice_IsOneRow_ByItsMessageIdOrContent()
    {
        var queue = await rabbit.CreateQueueAsync();
        var twice = Published.RabbitOrders(5, withIds: true).Concat(Published.RabbitOrders(2, withIds: true))
            .Concat(Published.RabbitOrders(3, withIds: false)).Concat(Published.RabbitOrders(3, withIds: false));
        await rabbit.PublishAsync(queue, twice);
        Project(queue);

        await RunOkAsync();

        // m1..m5 once, and the three orders without an id once each (by their content hash).
        harness.Scalar("select count(*) from raw.events").ShouldBe(8L);
        harness.Scalar("select count(*) from raw.events where _message_id like 'sha256:%'").ShouldBe(3L);
    }

    [Fact]
    public async Task TextAndMaxMessages_LoadsThatManyAndLeavesTheRest()
    {
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, Enumerable.Range(1, 30).Select(i => Published.Raw($"line {i} é")));
        Project(queue, "format: text\nmax_messages: 12");

        await RunOkAsync();

        harness.Scalar("select count(*) from raw.events").ShouldBe(12L);
        harness.Scalar("select string_agg(payload, '|' order by payload) from raw.events where payload like 'line 1%'").ShouldBe("line 1 é|line 10 é|line 11 é|line 12 é");
        (await rabbit.CountAsync(queue)).ShouldBe(18u, "the messages past max_messages are handed back");
    }

    [Fact]
    public async Task InvalidJson_InALaterBatch_KeepsTheBatchesBefore_AndSaysSo()
    {
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, [.. Enumerable.Range(1, 11).Select(i => Published.Raw($"{{\"order_id\": {i}}}")), Published.Raw("{not json")]);
        Project(queue);

        var failed = await harness.RunAsync();

        var error = failed.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull();
        error.ShouldContain("not valid JSON");
        error.ShouldContain("The 10 rows of earlier chunks are committed; the next run goes on after them.");
        harness.Scalar("select count(*) from raw.events").ShouldBe(10L);
        (await rabbit.CountAsync(queue)).ShouldBe(2u, "the failed batch goes back to the queue");
    }

    [Fact]
    public async Task InvalidJson_FailsTheBatchUnacknowledged_ThenQuarantinedWithTheReason()
    {
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, [Published.Raw("""{"order_id": 1}"""), Published.Raw("""{"order_id": 2}"""), Published.Raw("{not json"), Published.Raw("""{"order_id": 3}""")]);
        Project(queue);

        var failed = await harness.RunAsync();

        failed.Succeeded.ShouldBeFalse();
        var error = failed.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull();
        error.ShouldContain($"queue {queue}");
        error.ShouldContain("delivery 3");
        error.ShouldContain("not valid JSON");
        error.ShouldContain("on_check_failure: quarantine");
        error.ShouldNotContain("wharf:wharf");
        harness.Scalar("select count(*) from information_schema.tables where table_name = 'events'").ShouldBe(0L);
        (await rabbit.CountAsync(queue)).ShouldBe(4u, "nothing is lost: the batch goes back to the queue");

        Project(queue, "on_check_failure: quarantine");
        await RunOkAsync();

        harness.Scalar("select string_agg(cast(order_id as varchar), ',' order by order_id) from raw.events").ShouldBe("1,2,3");
        harness.Scalar("select count(*) from information_schema.columns where table_name = 'events' and column_name like '_payload%'").ShouldBe(0L);
        harness.Scalar("select _payload from raw.events__quarantine").ShouldBe("{not json");
        ((string)harness.Scalar("select _payload_error from raw.events__quarantine")!).ShouldContain("not valid JSON");
        (await rabbit.CountAsync(queue)).ShouldBe(0u);
    }

    [Fact]
    public async Task PoisonMessage_InAQuorumQueue_IsDeadLetteredAfterMaxDeliver()
    {
        var dead = await rabbit.CreateQueueAsync();
        var queue = await rabbit.CreateQueueAsync(new Dictionary<string, object?>
        {
            ["x-queue-type"] = "quorum",
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = dead,
        });
        await rabbit.PublishAsync(queue, [Published.Raw("""{"order_id": 1}"""), Published.Raw("{poison"), Published.Raw("""{"order_id": 2}""")]);
        Project(queue, "max_deliver: 2");

        (await harness.RunAsync()).Succeeded.ShouldBeFalse("the first delivery fails the batch");
        await RunOkAsync();

        harness.Scalar("select string_agg(cast(order_id as varchar), ',' order by order_id) from raw.events").ShouldBe("1,2");
        (await rabbit.CountAsync(queue)).ShouldBe(0u);
        (await rabbit.CountAsync(dead)).ShouldBe(1u, "the poison message is in the dead-letter queue, not lost");
    }

    [Fact]
    public async Task UnknownQueue_IsNamed()
    {
        Project("no_such_queue");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull();
        error.ShouldContain("there is no queue 'no_such_queue'");
        error.ShouldNotContain("wharf:wharf");
    }
}
