using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.Sources.Streams;

/// <summary>
/// Consumes a RabbitMQ queue with manual acknowledgements and a prefetch of one batch: the broker
/// sends at most a batch of un-acknowledged messages, so memory holds one batch at most, and a
/// batch is acknowledged at once (the last delivery tag, <c>multiple</c>) after its commit. What is
/// not acknowledged when the channel closes (a failed batch, a crash) goes back to the queue.
/// </summary>
internal sealed class RabbitMqConsumer : IMessageConsumer
{
    /// <summary>AMQP's prefetch count is 16 bits.</summary>
    private const int MaxPrefetch = ushort.MaxValue;

    private readonly IConnection connection;
    private readonly IChannel channel;
    private readonly Channel<BrokerMessage> deliveries = Channel.CreateUnbounded<BrokerMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private ulong lastTag;
    private ulong tagBefore;
    private ulong ackedTag;
    private string? consumerTag;

    private readonly string queue;

    private RabbitMqConsumer(IConnection connection, IChannel channel, string queue, string description, int prefetch)
    {
        this.connection = connection;
        this.channel = channel;
        this.queue = queue;
        Description = description;
        MaxBatch = prefetch;
    }

    public string Description { get; }

    public int MaxBatch { get; }

    public static async Task<RabbitMqConsumer> OpenAsync(ConnectionSettings settings, string table, MessageStreamSettings stream, CancellationToken cancellationToken)
    {
        var prefetch = (int)Math.Min(Math.Min(stream.BatchMessages, stream.MaxMessages ?? long.MaxValue), MaxPrefetch);
        var (connection, url) = await ConnectAsync(settings, table, cancellationToken);
        var description = $"queue {stream.Queue} on {url.Display}";
        try
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.BasicQosAsync(0, (ushort)prefetch, global: false, cancellationToken);
            var consumer = new RabbitMqConsumer(connection, channel, stream.Queue!, description, prefetch);
            var events = new AsyncEventingBasicConsumer(channel);
            events.ReceivedAsync += consumer.OnReceivedAsync;
            consumer.consumerTag = await channel.BasicConsumeAsync(stream.Queue!, autoAck: false, consumerTag: "", noLocal: false, exclusive: false, arguments: null, events, cancellationToken);
            return consumer;
        }
        catch (OperationInterruptedException ex)
        {
            await connection.DisposeAsync();
            throw new SourceException(settings.Name, table, ex.ShutdownReason?.ReplyCode == 404
                ? $"Connection '{settings.Name}': there is no queue '{stream.Queue}' in the vhost of {url.Display}. Declare it (or check 'queue:' and the vhost in 'url:')."
                : $"Connection '{settings.Name}': {url.Display} refused to let Wharf consume queue '{stream.Queue}': {url.Mask(ex.ShutdownReason?.ReplyText ?? ex.Message)}.", ex);
        }
    }

    /// <summary>Connects, with the reason said plainly when it fails: refused, credentials, vhost.</summary>
    internal static async Task<(IConnection Connection, BrokerUrl Url)> ConnectAsync(ConnectionSettings settings, string table, CancellationToken cancellationToken)
    {
        var url = BrokerUrl.Parse(settings);
        var factory = new ConnectionFactory
        {
            HostName = url.Host,
            Port = url.Port,
            VirtualHost = url.Vhost,
            ClientProvidedName = "wharf",
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(15),
        };
        if (url.Scheme == "amqps")
        {
            factory.Ssl = new SslOption(url.Host, enabled: true);
        }

        if (url.User is not null)
        {
            factory.UserName = url.User;
        }

        if (url.Password is not null)
        {
            factory.Password = url.Password;
        }

        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException ex)
        {
            throw new SourceException(settings.Name, table, $"Connection '{settings.Name}': {Why(ex, url, factory.VirtualHost)}", ex) { Transient = IsRefused(ex) };
        }

        // RabbitMQ refuses an unknown vhost by closing the connection just after it opened: a
        // channel, a round trip later, finds out.
        try
        {
            await using var probe = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await probe.CloseAsync(cancellationToken);
            return (connection, url);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
        {
            await connection.DisposeAsync();
            var reason = (ex as OperationInterruptedException)?.ShutdownReason?.ReplyText ?? ex.Message;
            throw new SourceException(settings.Name, table, reason.Contains("vhost", StringComparison.OrdinalIgnoreCase)
                ? $"Connection '{settings.Name}': {url.Display} has no vhost '{factory.VirtualHost}' that the user '{url.User ?? "guest"}' may use. Check the vhost at the end of 'url:' (%2F for '/')."
                : $"Connection '{settings.Name}': {url.Display} closed the connection: {url.Mask(reason)}", ex);
        }
    }

    private static bool IsRefused(Exception ex) => Inner(ex).Any(e => e is System.Net.Sockets.SocketException or ConnectFailureException);

    private static IEnumerable<Exception> Inner(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static string Why(BrokerUnreachableException ex, BrokerUrl url, string vhost)
    {
        var all = Inner(ex).ToList();
        var text = string.Join(" ", all.Select(e => e.Message));
        if (all.Any(e => e is AuthenticationFailureException) || text.Contains("ACCESS_REFUSED", StringComparison.Ordinal))
        {
            return $"{url.Display} refused the user '{url.User ?? "guest"}' and its password (ACCESS_REFUSED). Check the user and the password (the password is not shown).";
        }

        if (text.Contains("NOT_ALLOWED", StringComparison.Ordinal) || text.Contains("vhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"{url.Display} has no vhost '{vhost}' that the user '{url.User ?? "guest"}' may use. Check the vhost at the end of 'url:' (%2F for '/').";
        }

        return IsRefused(ex)
            ? $"nothing answers at {url.Host}:{url.Port} ({url.Mask(all[^1].Message)}). Is RabbitMQ running there?"
            : $"{url.Display} cannot be reached: {url.Mask(all[^1].Message)}";
    }

    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        var body = delivery.Body.ToArray(); // the client reuses its buffer after this handler returns
        var headers = Headers(properties.Headers);
        var id = properties.IsMessageIdPresent() && !string.IsNullOrEmpty(properties.MessageId) ? properties.MessageId! : ContentHash(delivery, body);
        // Quorum queues count deliveries before this one; classic queues do not count.
        var times = properties.Headers?.TryGetValue("x-delivery-count", out var before) == true && before is not null
            ? Convert.ToInt64(before, CultureInfo.InvariantCulture) + 1 : 0;
        deliveries.Writer.TryWrite(new BrokerMessage(body)
        {
            Id = id,
            Key = delivery.RoutingKey,
            Exchange = delivery.Exchange,
            Headers = headers,
            Timestamp = properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null,
            Redelivered = delivery.Redelivered,
            Deliveries = times,
            Receipt = delivery.DeliveryTag,
        });
        return Task.CompletedTask;
    }

    /// <summary>The identity of a message without a message id: what it says and where it was sent, so the same message delivered again has the same one.</summary>
    private static string ContentHash(BasicDeliverEventArgs delivery, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{delivery.Exchange}\n{delivery.RoutingKey}\n{(delivery.BasicProperties.IsTimestampPresent() ? delivery.BasicProperties.Timestamp.UnixTime : 0)}\n"));
        hash.AppendData(body);
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static List<KeyValuePair<string, string?>> Headers(IDictionary<string, object?>? headers) =>
        headers is null ? [] : [.. headers.Select(h => KeyValuePair.Create(h.Key, HeaderText(h.Value)))];

    /// <summary>AMQP header values as text: strings come as UTF-8 bytes.</summary>
    private static string? HeaderText(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp time => DateTimeOffset.FromUnixTimeSeconds(time.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>().Select(HeaderText)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    public async ValueTask<BrokerMessage?> NextAsync(int upTo, TimeSpan idle, CancellationToken cancellationToken)
    {
        if (deliveries.Reader.TryRead(out var ready))
        {
            return Take(ready);
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(idle);
        try
        {
            return Take(await deliveries.Reader.ReadAsync(wait.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private BrokerMessage Take(BrokerMessage message)
    {
        tagBefore = lastTag;
        lastTag = (ulong)message.Receipt!;
        return message;
    }

    /// <summary>Messages ready in the queue (not delivered to any consumer).</summary>
    public async Task<bool> HasWaitingAsync(CancellationToken cancellationToken) =>
        await channel.MessageCountAsync(queue, cancellationToken) > 0;

    public async Task AckAsync(CancellationToken cancellationToken)
    {
        if (lastTag > ackedTag)
        {
            FailPoint.Hit(FailPoint.Acking);
            await channel.BasicAckAsync(lastTag, multiple: true, cancellationToken);
            ackedTag = lastTag;
        }
    }

    public async Task DeadLetterAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var tag = (ulong)message.Receipt!;
        await channel.BasicRejectAsync(tag, requeue: false, cancellationToken);

        // The batch's acknowledgement (multiple, up to the last tag) must not name a rejected delivery:
        // RabbitMQ would close the channel and requeue the whole batch.
        if (tag == lastTag)
        {
            lastTag = tagBefore;
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (lastTag <= ackedTag || !channel.IsOpen)
        {
            return;
        }

        try
        {
            // Stop deliveries first, or RabbitMQ hands the requeued messages straight back to this consumer.
            if (consumerTag is not null)
            {
                await channel.BasicCancelAsync(consumerTag, noWait: false, cancellationToken);
            }

            await channel.BasicNackAsync(lastTag, multiple: true, requeue: true, cancellationToken);
            ackedTag = lastTag;
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
        {
            // The channel is gone (the reason the batch failed, perhaps): RabbitMQ requeued the batch itself.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing the channel hands back what was delivered and not acknowledged (prefetched beyond the last batch).
        try
        {
            await channel.CloseAsync();
            await connection.CloseAsync();
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The broker closed it first: what was not acknowledged is back in the queue either way.
        }

        await channel.DisposeAsync();
        await connection.DisposeAsync();
    }
}
