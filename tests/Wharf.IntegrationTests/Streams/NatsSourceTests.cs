using System.Text;
using Wharf.IntegrationTests.Sources;

namespace Wharf.IntegrationTests.Streams;

/// <summary>A NATS JetStream stream into DuckDB through a durable pull consumer: batches, metadata, bytes, poison messages.</summary>
public sealed class NatsSourceTests(NatsServer nats) : IDisposable
{
    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private void Project(string stream, string settings = "") => harness.WithProject($$"""
        connections:
          bus: { type: nats, url: "{{nats.Url}}" }
        pipelines:
          readings:
            source: bus
            stream: {{stream}}
            durable: wharf_readings
            schema: raw
            batch: { max_messages: 10 }
            idle_timeout: 1s
            {{settings.Replace("\n", "\n    ", StringComparison.Ordinal)}}
        """);

    private async Task RunOkAsync()
    {
        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
    }

    [Fact]
    public async Task Json_LoadsEveryMessageOnce_WithItsSequenceAndSubject_AndAcknowledgesIt()
    {
        var (stream, prefix) = await nats.CreateStreamAsync();
        await nats.PublishAsync(Published.NatsOrders(prefix, 25));
        Project(stream, $"subject: \"{prefix}.>\"");

        await RunOkAsync();

        harness.Scalar("select count(*) from raw.readings").ShouldBe(25L);
        harness.Scalar("select cast(sum(_message_id) as bigint) from raw.readings").ShouldBe(Published.SumTo(25), "the stream sequences 1..25");
        harness.Scalar("select data_type from information_schema.columns where table_name = 'readings' and column_name = '_message_id'").ShouldBe("BIGINT");
        harness.Scalar("select _subject from raw.readings where order_id = 7").ShouldBe($"{prefix}.orders.1");
        harness.Scalar("select customer__name from raw.readings where _message_id = 7").ShouldBe("c7");
        harness.Scalar("select _headers from raw.readings where order_id = 7").ShouldBe("""{"source":"test"}""");
        ((DateTime)harness.Scalar("select _timestamp from raw.readings where order_id = 7")!).ShouldBeInRange(DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        var (pending, ackPending) = await nats.ConsumerStateAsync(stream, "wharf_readings");
        pending.ShouldBe(0ul);
        ackPending.ShouldBe(0L, "every message is acknowledged");

        // New messages only: the durable consumer remembers where it is.
        await nats.PublishAsync(Published.NatsOrders(prefix, 30).Skip(25));
        await RunOkAsync();
        harness.Scalar("select count(*) from raw.readings").ShouldBe(30L);
        harness.Scalar("select rows_extracted from _wharf.runs order by started_at desc limit 1").ShouldBe(5L);
        harness.Scalar("select bytes_read from _wharf.runs order by started_at desc limit 1")
            .ShouldBe(Published.NatsOrders(prefix, 30).Skip(25).Sum(m => (long)m.Body.Length), "the payloads of the five new messages");
    }

    /// <summary>A broker cannot deliver acknowledged messages again: rebuilding the table from it would lose them.</summary>
    [Fact]
    public async Task FullRefresh_KeepsTheTable_AndLoadsTheNewMessages_SayingHowToRebuild()
    {
        var (stream, prefix) = await nats.CreateStreamAsync();
        await nats.PublishAsync(Published.NatsOrders(prefix, 25));
        Project(stream, $"subject: \"{prefix}.>\"");
        await RunOkAsync();
        await nats.PublishAsync(Published.NatsOrders(prefix, 30).Skip(25));
        var log = new LogLines();
        harness.Logger = log;

        var summary = await harness.RunAsync(fullRefresh: true);

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        harness.Scalar("select count(*) from raw.readings").ShouldBe(30L);
        harness.Scalar("select cast(sum(_message_id) as bigint) from raw.readings").ShouldBe(Published.SumTo(30), "the 25 earlier messages and the 5 new ones, once each");
        log.Lines.ShouldContain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && l.Text.Contains("--full-refresh keeps raw.readings", StringComparison.Ordinal) && l.Text.Contains("wharf replay readings", StringComparison.Ordinal));
    }

    /// <summary>
    /// A batch of wide messages is written in short Parquet row groups (about 32 MB, bench/README.md
    /// "Wide rows"), which a load reads one at a time; all in the order they came.
    /// </summary>
    [Fact]
    public async Task WideMessages_AreAllDelivered_AndWrittenInShortRowGroups_InTheirOrder()
    {
        // 40 MB in one batch: pulled at once, the test server (max_pending 16MB) drops a part of
        // them as to a slow consumer, and the run, finding none pending, stops short (NatsConsumer.PullBytes).
        var (stream, prefix) = await nats.CreateStreamAsync();
        var note = new string('x', 16_000);
        await nats.PublishAsync(Enumerable.Range(1, 2_500).Select(i => ($"{prefix}.wide", Encoding.UTF8.GetBytes($$"""{"id": {{i}}, "note": "{{note}}"}"""), (NATS.Client.Core.NatsHeaders?)null)));
        harness.WithProject($$"""
            connections:
              bus: { type: nats, url: "{{nats.Url}}" }
            pipelines:
              readings: { source: bus, stream: {{stream}}, durable: wharf_readings, schema: raw, batch: { max_messages: 2500 }, idle_timeout: 1s }
            """);

        await RunOkAsync();

        harness.Scalar("select count(*) from raw.readings").ShouldBe(2_500L);
        var part = Directory.GetFiles(Path.Combine(harness.Root, "lake"), "*.parquet", SearchOption.AllDirectories).ShouldHaveSingleItem();
        var groups = (long)harness.Scalar($"select count(*) from parquet_metadata('{part}') where column_id = 0")!;
        var largest = (long)harness.Scalar($"select max(row_group_num_rows) from parquet_metadata('{part}')")!;
        groups.ShouldBeGreaterThan(1L, "2,500 rows of 16 KB make more than one group of about 32 MB (2,048 rows at least)");
        largest.ShouldBeLessThanOrEqualTo(4_096L);
        harness.Scalar($"select count(*) from (select id - lag(id) over (order by file_row_number) as step from read_parquet('{part}', file_row_number = true)) where step <> 1").ShouldBe(0L);
    }

    [Fact]
    public async Task Bytes_AreABlob_AsPublished()
    {
        var (stream, prefix) = await nats.CreateStreamAsync();
        await nats.PublishAsync([($"{prefix}.raw", new byte[] { 0, 255, 16, 0 }, null), ($"{prefix}.raw", Encoding.UTF8.GetBytes("{}"), null)]);
        Project(stream, "format: bytes");

        await RunOkAsync();

        harness.Scalar("select payload from raw.readings where _message_id = 1").ShouldBe(new byte[] { 0, 255, 16, 0 });
        harness.Scalar("select payload from raw.readings where _message_id = 2").ShouldBe("{}"u8.ToArray());
        harness.Scalar("select _headers from raw.readings where _message_id = 1").ShouldBeNull();
    }

    [Fact]
    public async Task PoisonMessage_FailsTheBatch_ThenIsTerminatedAfterMaxDeliver()
    {
        var (stream, prefix) = await nats.CreateStreamAsync();
        await nats.PublishAsync([($"{prefix}.a", """{"order_id": 1}"""u8.ToArray(), null), ($"{prefix}.a", "not json"u8.ToArray(), null), ($"{prefix}.a", """{"order_id": 2}"""u8.ToArray(), null)]);
        Project(stream, "max_deliver: 2");

        var first = await harness.RunAsync();

        first.Succeeded.ShouldBeFalse();
        var error = first.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull();
        error.ShouldContain($"message 2 (subject {prefix}.a) of stream {stream}");
        error.ShouldContain("delivered 1 time(s); after 2 it is dead-lettered");
        error.ShouldNotContain("wharf:wharf");

        await RunOkAsync();

        harness.Scalar("select string_agg(cast(order_id as varchar), ',' order by order_id) from raw.readings").ShouldBe("1,2");
        harness.Scalar("select count(*) from raw.readings where _redelivered").ShouldBe(2L, "the good messages of the failed batch came again");
        var (pending, ackPending) = await nats.ConsumerStateAsync(stream, "wharf_readings");
        (pending, ackPending).ShouldBe((0ul, 0L));
    }

    [Fact]
    public async Task UnknownStream_IsNamed()
    {
        Project("NO_SUCH_STREAM");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.ShouldHaveSingleItem().Error.ShouldNotBeNull();
        error.ShouldContain("there is no JetStream stream 'NO_SUCH_STREAM'");
        error.ShouldNotContain("wharf:wharf");
    }
}
