using Wharf.Projects;
using Wharf.Sources;
using Wharf.Sources.Streams;

namespace Wharf.IntegrationTests.Streams;

/// <summary><c>wharf test-connection</c> and <c>wharf discover</c> against the real brokers: plain reasons, counts, never the password.</summary>
public sealed class StreamProbeTests(RabbitMqServer rabbit, NatsServer nats)
{
    private const string WrongPassword = "wrong-Secret-4711";

    private static ConnectionSettings Connection(string type, string url) => new("mq", type) { Url = url };

    /// <summary>The URL with its password (wharf) replaced, or its port, or its path.</summary>
    private static string With(string url, string? password = null, int? port = null, string? path = null)
    {
        var builder = new UriBuilder(url);
        if (password is not null)
        {
            builder.Password = password;
        }

        if (port is not null)
        {
            builder.Port = port.Value;
        }

        if (path is not null)
        {
            builder.Path = path;
        }

        return builder.Uri.ToString();
    }

    [Fact]
    public async Task RabbitMq_TestAndDiscover_SayWhatIsThere()
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, Published.RabbitOrders(3, withIds: true));
        var connection = Connection("rabbitmq", rabbit.Url);

        var line = await StreamProbe.TestAsync(connection, [queue], ct);

        line.ShouldStartWith("connected to amqp://127.0.0.1:");
        line.ShouldContain("as wharf (RabbitMQ 3.");
        line.ShouldContain($"queue {queue}: 3 messages");
        line.ShouldNotContain(":wharf@");
        (await ConnectionProbe.TestAsync(connection, ct)).ShouldStartWith("connected to");
    }

    /// <summary>The management API lists every queue of the vhost, those no pipeline consumes too (its counts lag by its statistics interval).</summary>
    [Fact]
    public async Task RabbitMq_Discover_ListsEveryQueue_ThroughTheManagementApi()
    {
        var ct = TestContext.Current.CancellationToken;
        var (consumed, other) = (await rabbit.CreateQueueAsync(), await rabbit.CreateQueueAsync());
        await rabbit.PublishAsync(consumed, Published.RabbitOrders(3, withIds: true));
        await rabbit.PublishAsync(other, Published.RabbitOrders(2, withIds: true));
        var connection = Connection("rabbitmq", rabbit.Url) with { ManagementUrl = rabbit.ManagementUrl };

        BrokerListing listing;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            listing = await StreamProbe.DiscoverAsync(connection, [consumed], ct);
        }
        while (listing.Queues.FirstOrDefault(q => q.Name == other)?.Messages != 2 && waited.Elapsed < TimeSpan.FromSeconds(20) && await Delay(ct));

        listing.Queues.Where(q => q.Name == consumed || q.Name == other).Select(q => (q.Name, q.Kind, q.Messages, q.Consumers)).Order()
            .ShouldBe(new[] { (consumed, "queue", 3L, 0L), (other, "queue", 2L, 0L) }.Order());
        listing.Queues.Select(q => q.Name).ShouldBeInOrder(SortDirection.Ascending, StringComparer.Ordinal);
        listing.Note.ShouldStartWith($"{listing.Queues.Count} queue(s): every queue of the vhost, from the management API at {rabbit.ManagementUrl.TrimEnd('/')}/");
        listing.Note.ShouldNotContain(":wharf@");

        var missing = await Should.ThrowAsync<SourceException>(() => StreamProbe.DiscoverAsync(connection, ["no_such_queue"], ct));
        missing.Message.ShouldContain("there is no queue 'no_such_queue'");
    }

    /// <summary>Without the management API, the queues the pipelines consume, and why only those.</summary>
    [Fact]
    public async Task RabbitMq_Discover_WithoutTheManagementApi_ListsTheConsumedQueues_SayingWhy()
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, Published.RabbitOrders(3, withIds: true));
        var connection = Connection("rabbitmq", rabbit.Url) with { ManagementUrl = "http://127.0.0.1:1/" };

        var listing = await StreamProbe.DiscoverAsync(connection, [queue], ct);

        listing.Queues.Select(q => (q.Name, q.Kind, q.Messages, q.Consumers)).ShouldBe([(queue, "queue", 3L, 0L)]);
        listing.Note.ShouldStartWith("1 queue(s): those the pipelines of wharf.yml consume, since the management API at http://127.0.0.1:1/ did not answer");
        listing.Note.ShouldEndWith("AMQP cannot list queues (set 'management_url:').");
    }

    private static async Task<bool> Delay(CancellationToken ct)
    {
        await Task.Delay(250, ct);
        return true;
    }

    [Fact]
    public async Task RabbitMq_Failures_AreSaidPlainly_WithoutThePassword()
    {
        var ct = TestContext.Current.CancellationToken;

        var auth = await Should.ThrowAsync<SourceException>(() => StreamProbe.TestAsync(Connection("rabbitmq", With(rabbit.Url, password: WrongPassword)), [], ct));
        auth.Message.ShouldContain("refused the user 'wharf' and its password (ACCESS_REFUSED)");
        auth.Message.ShouldNotContain(WrongPassword);

        var vhost = await Should.ThrowAsync<SourceException>(() => StreamProbe.TestAsync(Connection("rabbitmq", With(rabbit.Url, path: "/nowhere")), [], ct));
        vhost.Message.ShouldContain("has no vhost 'nowhere'");

        var refused = await Should.ThrowAsync<SourceException>(() => StreamProbe.TestAsync(Connection("rabbitmq", With(rabbit.Url, port: 1)), [], ct));
        refused.Message.ShouldContain("nothing answers at 127.0.0.1:1");
        refused.IsTransient.ShouldBeTrue();

        var queue = await Should.ThrowAsync<SourceException>(() => StreamProbe.DiscoverAsync(Connection("rabbitmq", rabbit.Url), ["no_such_queue"], ct));
        queue.Message.ShouldContain("there is no queue 'no_such_queue'");
    }

    [Fact]
    public async Task Nats_TestAndDiscover_SayWhatIsThere()
    {
        var ct = TestContext.Current.CancellationToken;
        var (stream, prefix) = await nats.CreateStreamAsync();
        await nats.PublishAsync(Published.NatsOrders(prefix, 4));
        var connection = Connection("nats", nats.Url);

        var line = await StreamProbe.TestAsync(connection, [stream], ct);

        line.ShouldStartWith("connected to nats://127.0.0.1:");
        line.ShouldContain("(NATS with JetStream, ");
        line.ShouldContain($"stream {stream}: 4 messages");
        var found = (await StreamProbe.DiscoverAsync(connection, [], ct)).Queues.Single(s => s.Name == stream);
        (found.Kind, found.Messages).ShouldBe(("stream", 4L));
        found.Subjects.ShouldBe([$"{prefix}.>"]);
    }

    [Fact]
    public async Task Nats_Failures_AreSaidPlainly_WithoutThePassword()
    {
        var ct = TestContext.Current.CancellationToken;

        var auth = await Should.ThrowAsync<SourceException>(() => StreamProbe.TestAsync(Connection("nats", With(nats.Url, password: WrongPassword)), [], ct));
        auth.Message.ShouldContain("refused the credentials of user 'wharf'");
        auth.Message.ShouldNotContain(WrongPassword);

        var refused = await Should.ThrowAsync<SourceException>(() => StreamProbe.TestAsync(Connection("nats", With(nats.Url, port: 1)), [], ct));
        refused.Message.ShouldContain("nothing answers at 127.0.0.1:1");

        var stream = await Should.ThrowAsync<SourceException>(() => StreamProbe.TestAsync(Connection("nats", nats.Url), ["NO_SUCH_STREAM"], ct));
        stream.Message.ShouldContain("there is no JetStream stream 'NO_SUCH_STREAM'");
    }
}
