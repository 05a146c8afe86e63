using System.Collections.Concurrent;
using RabbitMQ.Client;

namespace Wharf.IntegrationTests.Streams;

/// <summary>
/// The real RabbitMQ broker the stream tests run against: the one scripts/test.sh starts
/// (scripts/rabbitmq.sh), or any named by <c>WHARF_TEST_RABBITMQ_URL</c>. Without it the tests fail
/// under <c>CI=true</c> and are skipped elsewhere, saying how to get one. Each test makes its own queues.
/// </summary>
public sealed class RabbitMqServer : IAsyncLifetime
{
    public const string Variable = "WHARF_TEST_RABBITMQ_URL";

    public const string MissingMessage =
        "WHARF_TEST_RABBITMQ_URL is not set: run the tests through ./scripts/test.sh, which starts RabbitMQ " +
        "(or start one with `eval \"$(scripts/rabbitmq.sh start)\"`)";

    private readonly ConcurrentQueue<string> created = new();
    private IConnection? connection;
    private string? url;

    public async ValueTask InitializeAsync()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        try
        {
            connection = await new ConnectionFactory { Uri = new Uri(value) }.CreateConnectionAsync();
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException)
        {
            throw new InvalidOperationException($"Cannot connect to the RabbitMQ broker in {Variable}: {e.Message}. Run the tests through ./scripts/test.sh, which starts one.", e);
        }

        url = value;
    }

    /// <summary>The broker's <c>amqp://</c> URL (with the password), or the test stops: failed under CI=true, skipped elsewhere.</summary>
    public string Url => Require().Url;

    /// <summary>Its management HTTP API (<c>WHARF_TEST_RABBITMQ_MANAGEMENT_URL</c>, set by scripts/rabbitmq.sh), or the test stops as for <see cref="Url"/>.</summary>
    public string ManagementUrl
    {
        get
        {
            _ = Require();
            return Environment.GetEnvironmentVariable("WHARF_TEST_RABBITMQ_MANAGEMENT_URL") is { Length: > 0 } management ? management
                : throw new InvalidOperationException("WHARF_TEST_RABBITMQ_MANAGEMENT_URL is not set: scripts/rabbitmq.sh exports it with the broker's URL.");
        }
    }

    private (IConnection Connection, string Url) Require()
    {
        if (connection is not null && url is not null)
        {
            return (connection, url);
        }

        throw TestServers.Missing(MissingMessage, "RabbitMQ");
    }

    /// <summary>A new durable queue of its own name, deleted when the test run ends.</summary>
    public async Task<string> CreateQueueAsync(IDictionary<string, object?>? arguments = null)
    {
        var (amqp, _) = Require();
        var name = $"q_{Guid.NewGuid():N}";
        await using var channel = await amqp.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: TestContext.Current.CancellationToken);
        created.Enqueue(name);
        return name;
    }

    /// <summary>Publishes to the queue through the default exchange and waits for the broker's confirmation of each.</summary>
    public async Task PublishAsync(string queue, IEnumerable<(byte[] Body, BasicProperties Properties)> messages)
    {
        var (amqp, _) = Require();
        var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var channel = await amqp.CreateChannelAsync(options, TestContext.Current.CancellationToken);
        foreach (var (body, properties) in messages)
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, body, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Messages ready in the queue (not delivered to a consumer).</summary>
    public async Task<uint> CountAsync(string queue)
    {
        var (amqp, _) = Require();
        await using var channel = await amqp.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        return (await channel.QueueDeclarePassiveAsync(queue, TestContext.Current.CancellationToken)).MessageCount;
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            await using var channel = await connection.CreateChannelAsync();
            while (created.TryDequeue(out var name))
            {
                await channel.QueueDeleteAsync(name);
            }
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.OperationInterruptedException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
        {
            // Best effort: the throwaway broker goes with its folder anyway.
        }

        await connection.DisposeAsync();
    }
}
