using System.Text;
using NATS.Client.JetStream;
using RabbitMQ.Client.Exceptions;
using Wharf.Projects;

namespace Wharf.Sources.Streams;

/// <summary>A queue or stream of a broker, as <c>wharf discover</c> lists it.</summary>
/// <param name="Kind"><c>queue</c> (RabbitMQ) or <c>stream</c> (NATS JetStream).</param>
/// <param name="Messages">Messages waiting (RabbitMQ: ready, not delivered; NATS: stored in the stream).</param>
/// <param name="Subjects">NATS: the subjects the stream stores; empty for RabbitMQ.</param>
internal sealed record BrokerQueue(string Name, string Kind, long Messages, long Consumers, IReadOnlyList<string> Subjects);

/// <summary>What <c>wharf discover</c> found: the queues or streams, and a line that says which these are.</summary>
internal sealed record BrokerListing(IReadOnlyList<BrokerQueue> Queues, string Note);

/// <summary>What <c>wharf test-connection</c> and <c>wharf discover</c> ask of a broker. Messages never include the password.</summary>
internal static class StreamProbe
{
    /// <summary>Connects, and looks up each queue or stream the project's pipelines consume from this connection; one line, or a <see cref="SourceException"/> saying what failed.</summary>
    public static async Task<string> TestAsync(ConnectionSettings connection, IReadOnlyList<string> consumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(consumed);
        var queues = connection.Type == "rabbitmq" ? await RabbitQueuesAsync(connection, consumed, cancellationToken) : await NatsStreamsAsync(connection, consumed, cancellationToken);
        var url = BrokerUrl.Parse(connection);
        var each = queues.Where(q => consumed.Contains(q.Name)).Select(q => $"{q.Kind} {q.Name}: {q.Messages:N0} messages");
        var version = connection.Type == "rabbitmq" ? await RabbitVersionAsync(connection, cancellationToken) : null;
        var what = connection.Type == "rabbitmq" ? $"RabbitMQ{(version is null ? "" : " " + version)}" : $"NATS with JetStream, {queues.Count} stream(s)";
        return $"connected to {url.Display} as {url.User ?? "(no user)"} ({what}){(consumed.Count > 0 ? "; " + string.Join("; ", each) : "")}.";
    }

    private static async Task<string?> RabbitVersionAsync(ConnectionSettings connection, CancellationToken cancellationToken)
    {
        var (amqp, _) = await RabbitMqConsumer.ConnectAsync(connection, "", cancellationToken);
        await using (amqp)
        {
            return amqp.ServerProperties?.TryGetValue("version", out var version) == true && version is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
        }
    }

    /// <summary>
    /// The queues or streams with their message counts: every JetStream stream (NATS); every queue of
    /// the vhost through RabbitMQ's management API, or, when it cannot be asked (AMQP itself cannot
    /// list queues), the queues the project's pipelines name, with a note saying why.
    /// </summary>
    /// <exception cref="SourceException">The broker cannot be reached, or a named queue or stream does not exist.</exception>
    public static async Task<BrokerListing> DiscoverAsync(ConnectionSettings connection, IReadOnlyList<string> consumed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(consumed);
        if (connection.Type != "rabbitmq")
        {
            var streams = await NatsStreamsAsync(connection, consumed, cancellationToken);
            return new BrokerListing(streams, $"{streams.Count} stream(s).");
        }

        var url = BrokerUrl.Parse(connection);
        try
        {
            var queues = await RabbitMqManagement.QueuesAsync(connection, url, cancellationToken);
            if (consumed.FirstOrDefault(name => queues.All(q => q.Name != name)) is { } missing)
            {
                throw NoQueue(connection, missing, url);
            }

            return new BrokerListing(queues, $"{queues.Count} queue(s): every queue of the vhost, from the management API at {RabbitMqManagement.BaseUrl(connection, url)}.");
        }
        catch (ManagementUnavailableException ex)
        {
            var named = await RabbitQueuesAsync(connection, consumed, cancellationToken);
            return new BrokerListing(named, $"{named.Count} queue(s): those the pipelines of wharf.yml consume, since {ex.Message}; AMQP cannot list queues (set 'management_url:').");
        }
    }

    private static SourceException NoQueue(ConnectionSettings connection, string name, BrokerUrl url) =>
        new(connection.Name, "", $"Connection '{connection.Name}': there is no queue '{name}' in the vhost of {url.Display}. Declare it (or check 'queue:' and the vhost in 'url:').");

    private static async Task<IReadOnlyList<BrokerQueue>> RabbitQueuesAsync(ConnectionSettings connection, IReadOnlyList<string> consumed, CancellationToken cancellationToken)
    {
        var (amqp, url) = await RabbitMqConsumer.ConnectAsync(connection, "", cancellationToken);
        await using (amqp)
        {
            var queues = new List<BrokerQueue>();
            foreach (var name in consumed.Distinct())
            {
                // A passive declare that fails closes its channel: one channel per queue.
                await using var channel = await amqp.CreateChannelAsync(cancellationToken: cancellationToken);
                try
                {
                    var found = await channel.QueueDeclarePassiveAsync(name, cancellationToken);
                    queues.Add(new BrokerQueue(name, "queue", found.MessageCount, found.ConsumerCount, []));
                }
                catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
                {
                    throw new SourceException(connection.Name, "", NoQueue(connection, name, url).Message, ex);
                }
            }

            return queues;
        }
    }

    private static async Task<IReadOnlyList<BrokerQueue>> NatsStreamsAsync(ConnectionSettings connection, IReadOnlyList<string> consumed, CancellationToken cancellationToken)
    {
        var (nats, url) = await NatsConsumer.ConnectAsync(connection, "", cancellationToken);
        await using (nats)
        {
            var js = new NatsJSContext(nats);
            var streams = new List<BrokerQueue>();
            try
            {
                await foreach (var stream in js.ListStreamsAsync(cancellationToken: cancellationToken))
                {
                    var info = stream.Info;
                    streams.Add(new BrokerQueue(info.Config.Name!, "stream", (long)info.State.Messages, info.State.ConsumerCount, [.. info.Config.Subjects ?? []]));
                }
            }
            catch (NatsJSException ex)
            {
                throw new SourceException(connection.Name, "", $"Connection '{connection.Name}': JetStream on {url.Display} did not answer: {url.Mask(ex.Message)}. Is the server started with -js?", ex);
            }

            if (consumed.FirstOrDefault(name => streams.All(s => s.Name != name)) is { } missing)
            {
                throw new SourceException(connection.Name, "", $"Connection '{connection.Name}': there is no JetStream stream '{missing}' on {url.Display}. Create it (nats stream add), or check 'stream:'. Streams: {(streams.Count == 0 ? "none" : string.Join(", ", streams.Select(s => s.Name)))}.");
            }

            return streams;
        }
    }
}
