using Wharf.Projects;
using Wharf.Sources.Streams;

namespace Wharf.Tests.Projects;

/// <summary><c>type: rabbitmq</c> and <c>type: nats</c> connections and the pipelines that consume them, checked as the project is read.</summary>
public sealed class StreamSettingsReaderTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task TheIssuesExample_IsRead_WithDefaults()
    {
        folder.WriteProject("""
            connections:
              events: { type: rabbitmq, url: "amqp://etl:${MQ_PASSWORD}@localhost:5672/vhost" }
              sensors: { type: nats, url: "nats://localhost:4222" }
            pipelines:
              orders_stream: { source: events, queue: orders, format: json, table: order_events, primary_key: [message_id], batch: { max_messages: 50000, max_wait: 5s } }
              readings: { source: sensors, stream: SENSORS, subject: "sensors.>", durable: wharf_readings, format: json, table: readings }
            """);

        var project = await folder.LoadAsync(new Dictionary<string, string> { ["MQ_PASSWORD"] = "s3cr@t/x" });

        var orders = project.Pipelines[0];
        orders.Stream.ShouldNotBeNull().Queue.ShouldBe("orders");
        orders.Stream.BatchMessages.ShouldBe(50_000);
        orders.Stream.BatchWait.ShouldBe(TimeSpan.FromSeconds(5));
        orders.Stream.IdleTimeout.ShouldBe(TimeSpan.FromSeconds(2));
        orders.Mode.ShouldBe(WriteMode.Merge);
        orders.PrimaryKey.ShouldBe(["message_id"]);
        orders.Table.ShouldBe("order_events");
        var readings = project.Pipelines[1];
        readings.Stream.ShouldNotBeNull().Stream.ShouldBe("SENSORS");
        readings.Stream.Subject.ShouldBe("sensors.>");
        readings.Stream.Durable.ShouldBe("wharf_readings");
        readings.PrimaryKey.ShouldBe([MessageStreamSettings.MessageIdColumn], "without a key, the message's identity is the merge key");

        var url = BrokerUrl.Parse(project.Connection("events"));
        url.User.ShouldBe("etl");
        url.Password.ShouldBe("s3cr@t/x");
        url.Display.ShouldBe("amqp://localhost:5672/vhost");
        url.Vhost.ShouldBe("vhost");
        BrokerUrl.Parse(new ConnectionSettings("x", "rabbitmq") { Url = "amqps://h/%2F" }).ShouldBe(new BrokerUrl("amqps", "h", 5671, null, null, "/"));
        BrokerUrl.Parse(project.Connection("sensors")).Display.ShouldBe("nats://localhost:4222");
        url.Mask("login with s3cr@t/x refused").ShouldBe("login with *** refused");
    }

    [Fact]
    public async Task QuarantineOfJson_AddsTheCheckAndLeavesTheRawColumnsOut()
    {
        folder.WriteProject("""
            connections:
              sensors: { type: nats, url: "nats://localhost:4222" }
            pipelines:
              readings: { source: sensors, stream: SENSORS, on_check_failure: quarantine, max_deliver: 3, idle_timeout: 500ms, max_messages: 100 }
            """);

        var pipeline = (await folder.LoadAsync()).Pipelines.ShouldHaveSingleItem();

        pipeline.Rules.Checks.ShouldHaveSingleItem().Sql.ShouldBe("_payload_error IS NULL");
        pipeline.Rules.Transform.ShouldHaveSingleItem().Columns.ShouldBe(["_payload", "_payload_error"]);
        pipeline.Stream!.MaxDeliver.ShouldBe(3);
        pipeline.Stream.IdleTimeout.ShouldBe(TimeSpan.FromMilliseconds(500));
        pipeline.Stream.MaxMessages.ShouldBe(100L);
        pipeline.Stream.Durable.ShouldBe("wharf_readings");
    }

    [Theory]
    [InlineData("mq: { type: rabbitmq, url: \"http://x\" }", "p: { source: mq, queue: q }", "must start with amqp:// or amqps://", 2)]
    [InlineData("mq: { type: rabbitmq }", "p: { source: mq, queue: q }", "needs 'url:'", 2)]
    [InlineData("mq: { type: rabbitmq, url: \"amqp://h\", management_url: \"h:15672\" }", "p: { source: mq, queue: q }", "management_url of connection 'mq' must be an http:// or https:// URL", 2)]
    [InlineData("mq: { type: rabbitmq, url: \"amqp://h\" }", "p: { source: mq }", "needs 'queue:'", 4)]
    [InlineData("mq: { type: rabbitmq, url: \"amqp://h\" }", "p: { source: mq, queue: q, stream: S }", "applies to nats connections, and 'mq' is a rabbitmq connection", 4)]
    [InlineData("mq: { type: nats, url: \"nats://h\" }", "p: { source: mq, queue: q }", "applies to rabbitmq connections, and 'mq' is a nats connection", 4)]
    [InlineData("mq: { type: nats, url: \"nats://h\" }", "p: { source: mq }", "needs 'stream:'", 4)]
    [InlineData("mq: { type: nats, url: \"nats://h\" }", "p: { source: mq, stream: S, mode: append }", "mode must be merge (the default) or scd2", 4)]
    [InlineData("mq: { type: nats, url: \"nats://h\" }", "p: { source: mq, stream: S, mode: scd2 }", "add 'primary_key:'", 4)]
    [InlineData("mq: { type: nats, url: \"nats://h\" }", "p: { source: mq, stream: S, batch: { max_messages: 0 } }", "'max_messages' of pipeline 'p' must be a whole number above 0", 4)]
    [InlineData("mq: { type: nats, url: \"nats://h\" }", "p: { source: mq, stream: S, idle_timeout: soon }", "'idle_timeout' of pipeline 'p' must be a duration", 4)]
    [InlineData("mq: { type: nats, url: \"nats://h:99999\" }", "p: { source: mq, stream: S }", "'99999' is not a port", 2)]
    [InlineData("mq: { type: nats, url: \"nats://h\", credentials: missing.creds }", "p: { source: mq, stream: S }", "the credentials file", 2)]
    public async Task BadSettings_AreErrorsNamingTheLine(string connection, string pipeline, string expected, int line)
    {
        var error = await folder.LoadFailsAsync($"""
            connections:
              {connection}
            pipelines:
              {pipeline}
            """);

        error.Message.ShouldContain(expected);
        error.Line.ShouldBe(line);
    }
}
