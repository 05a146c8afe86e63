using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.Sources.Streams;

/// <summary>
/// Consumes a JetStream stream through a durable pull consumer with explicit acknowledgements.
/// Messages are fetched no more than the batch still takes, so none are left delivered and
/// un-acknowledged when a run ends; the consumer lets a whole batch be pending
/// (<c>max_ack_pending</c>) and waits <c>ack_wait</c> for its acknowledgement before delivering
/// it again. A failed batch is handed back with a NAK (delivered again at once, counting towards
/// <c>max_deliver</c>).
/// </summary>
internal sealed class NatsConsumer : IMessageConsumer
{
    /// <summary>The shortest pull request worth making; NATS answers shorter ones with nothing.</summary>
    private static readonly TimeSpan MinExpires = TimeSpan.FromSeconds(1);

    /// <summary>
    /// About the most a pull without waiting asks for, in messages of the size seen so far. The
    /// server drops what it delivers to a client whose unread data passes 64 MB (a "slow
    /// consumer"): a batch of 5,000 messages of 16 KB in one pull lost a third of them on a busy
    /// machine, and the run, seeing none pending, took the stream for drained (the dropped ones
    /// came back to the next run after <c>ack_wait</c>). A pull is bounded in messages or in bytes,
    /// not both, and a batch must not be given more than it takes: so in messages.
    /// </summary>
    private const int PullBytes = 8 << 20;

    /// <summary>A message's size for the first pull from a stream that held none when the run began.</summary>
    private const int UnknownMessageBytes = 64 << 10;

    private readonly NatsConnection nats;
    private readonly INatsJSConsumer consumer;
    private readonly List<INatsJSMsg<byte[]>> pending = [];
    private IAsyncEnumerator<INatsJSMsg<byte[]>>? fetch;
    private int fetchMessages;
    private long fetchBytes;
    private bool waiting;

    /// <summary>What a pull's messages are taken to weigh: the stream's average, then the heaviest pull's, if more.</summary>
    private double messageBytes;

    private NatsConsumer(NatsConnection nats, INatsJSConsumer consumer, string description, double messageBytes)
    {
        this.nats = nats;
        this.consumer = consumer;
        this.messageBytes = messageBytes;
        Description = description;
    }

    public string Description { get; }

    public int MaxBatch => int.MaxValue;

    public static async Task<NatsConsumer> OpenAsync(ConnectionSettings settings, string table, MessageStreamSettings stream, ILogger logger, CancellationToken cancellationToken)
    {
        var (nats, url) = await ConnectAsync(settings, table, cancellationToken);
        var description = $"stream {stream.Stream}{(stream.Subject is { } subject ? $" (subject {subject})" : "")} on {url.Display}";
        try
        {
            var js = new NatsJSContext(nats);
            var config = new ConsumerConfig(stream.Durable!)
            {
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                AckWait = stream.AckWait,
                MaxAckPending = Math.Max(stream.BatchMessages, 1000),
                DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            };
            if (stream.Subject is not null)
            {
                config.FilterSubject = stream.Subject;
            }

            if (stream.MaxDeliver is { } maxDeliver)
            {
                config.MaxDeliver = maxDeliver;
            }

            var consumer = await js.CreateOrUpdateConsumerAsync(stream.Stream!, config, cancellationToken);
            return new NatsConsumer(nats, consumer, description, await AverageMessageBytesAsync(js, stream.Stream!, cancellationToken));
        }
        catch (NatsJSApiException ex)
        {
            await nats.DisposeAsync();
            throw new SourceException(settings.Name, table, ex.Error.ErrCode == 10059
                ? $"Connection '{settings.Name}': there is no JetStream stream '{stream.Stream}' on {url.Display}. Create it (nats stream add), or check 'stream:'."
                : $"Connection '{settings.Name}': {url.Display} refused the durable consumer '{stream.Durable}' on stream '{stream.Stream}': {url.Mask(ex.Error.Description ?? ex.Message)} (JetStream error {ex.Error.ErrCode}).", ex);
        }
        catch (NatsJSException ex)
        {
            await nats.DisposeAsync();
            throw new SourceException(settings.Name, table, $"Connection '{settings.Name}': JetStream on {url.Display} did not answer: {url.Mask(ex.Message)}. Is the server started with -js?", ex);
        }
    }

    /// <summary>The stream's bytes per message; <see cref="UnknownMessageBytes"/> when it is empty or its information is not the user's to read.</summary>
    private static async Task<double> AverageMessageBytesAsync(NatsJSContext js, string stream, CancellationToken cancellationToken)
    {
        try
        {
            var state = (await js.GetStreamAsync(stream, cancellationToken: cancellationToken)).Info.State;
            return state.Messages > 0 ? (double)state.Bytes / state.Messages : UnknownMessageBytes;
        }
        catch (NatsJSApiException)
        {
            return UnknownMessageBytes;
        }
    }

    /// <summary>Connects (no reconnecting: a run fails and says why), with the reason said plainly when it cannot.</summary>
    internal static async Task<(NatsConnection Connection, BrokerUrl Url)> ConnectAsync(ConnectionSettings settings, string table, CancellationToken cancellationToken)
    {
        var url = BrokerUrl.Parse(settings);
        var auth = NatsAuthOpts.Default with { Username = url.User, Password = url.Password, CredsFile = settings.Credentials };
        var options = NatsOpts.Default with
        {
            Url = url.Display,
            Name = "wharf",
            AuthOpts = auth,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            MaxReconnectRetry = 0,
            RetryOnInitialConnect = false,
        };
        var nats = new NatsConnection(options);
        try
        {
            await nats.ConnectAsync();
            return (nats, url);
        }
        catch (NatsException ex)
        {
            await nats.DisposeAsync();
            var text = string.Join(" ", Inner(ex).Select(e => e.Message));
            var refused = Inner(ex).Any(e => e is System.Net.Sockets.SocketException) || text.Contains("can not connect", StringComparison.OrdinalIgnoreCase);
            var why = text.Contains("Authorization", StringComparison.OrdinalIgnoreCase) || text.Contains("authentication", StringComparison.OrdinalIgnoreCase)
                ? $"{url.Display} refused the credentials{(url.User is { } user ? $" of user '{user}'" : "")} (authorization violation). Check the user and password or the credentials file (the password is not shown)."
                : refused
                    ? $"nothing answers at {url.Host}:{url.Port}. Is nats-server running there?"
                    : $"{url.Display} cannot be reached: {url.Mask(text)}";
            throw new SourceException(settings.Name, table, $"Connection '{settings.Name}': {why}", ex) { Transient = refused };
        }
    }

    private static IEnumerable<Exception> Inner(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <remarks>
    /// What the stream has now is pulled without waiting (up to what the batch still takes); only
    /// when that brings nothing does a pull wait, up to <paramref name="idle"/>, for one message. So
    /// no waiting pull request is left on the server when a batch fails: the messages handed back
    /// are delivered again at once, to the next run, not to a pull of a consumer that is gone.
    /// </remarks>
    public async ValueTask<BrokerMessage?> NextAsync(int upTo, TimeSpan idle, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (fetch is not null)
            {
                if (await fetch.MoveNextAsync())
                {
                    fetchMessages++;
                    fetchBytes += fetch.Current.Size;
                    pending.Add(fetch.Current);
                    return Message(fetch.Current);
                }

                await fetch.DisposeAsync();
                fetch = null;
                if (waiting && fetchMessages == 0)
                {
                    return null; // nothing came for `idle`: drained
                }

                // A pull that brought nothing now is followed by one that waits; any other by one that does not.
                waiting = !waiting && fetchMessages == 0;
                messageBytes = Math.Max(messageBytes, fetchMessages == 0 ? 0 : (double)fetchBytes / fetchMessages);
            }

            var options = waiting
                ? new NatsJSFetchOpts { MaxMsgs = 1, Expires = idle < MinExpires ? MinExpires : idle }
                : new NatsJSFetchOpts { MaxMsgs = (int)Math.Clamp(PullBytes / Math.Max(messageBytes, 1), 1, Math.Max(1, upTo)) };
            fetch = (waiting
                ? consumer.FetchAsync<byte[]>(options, cancellationToken: cancellationToken)
                : consumer.FetchNoWaitAsync<byte[]>(options, cancellationToken: cancellationToken)).GetAsyncEnumerator(cancellationToken);
            (fetchMessages, fetchBytes) = (0, 0);
        }
    }

    private static BrokerMessage Message(INatsJSMsg<byte[]> message)
    {
        var (sequence, delivered, timestamp) = Delivery(message);
        var headers = message.Headers is null ? [] : message.Headers.Select(h => KeyValuePair.Create(h.Key, (string?)h.Value.ToString())).ToList();
        return new BrokerMessage(message.Data ?? [])
        {
            Sequence = sequence,
            Key = message.Subject,
            Headers = headers,
            Timestamp = timestamp,
            Redelivered = delivered > 1,
            Deliveries = (long)delivered,
        };
    }

    /// <summary>The stream sequence, the delivery count and the stream's time, from the reply subject (the client's metadata where that cannot be read).</summary>
    private static (ulong Sequence, ulong Delivered, DateTimeOffset? Timestamp) Delivery(INatsJSMsg<byte[]> message)
    {
        if (message.ReplyTo is { } reply && JetStreamAckSubject.TryParse(reply, out var sequence, out var delivered, out var timestamp))
        {
            return (sequence, delivered, timestamp);
        }

        return message.Metadata is { } metadata ? (metadata.Sequence.Stream, metadata.NumDelivered, metadata.Timestamp) : (0, 0, null);
    }

    /// <summary>Messages of the stream the durable consumer has not delivered yet.</summary>
    public async Task<bool> HasWaitingAsync(CancellationToken cancellationToken)
    {
        await consumer.RefreshAsync(cancellationToken);
        return consumer.Info.NumPending > 0;
    }

    public async Task AckAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            if (i == pending.Count / 2)
            {
                FailPoint.Hit(FailPoint.Acking);
            }

            await pending[i].AckAsync(cancellationToken: cancellationToken);
        }

        pending.Clear();

        // A round trip: every acknowledgement before it has reached the server.
        await nats.PingAsync(cancellationToken);
    }

    public async Task DeadLetterAsync(BrokerMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var index = pending.FindLastIndex(m => Delivery(m).Sequence == message.Sequence);
        if (index >= 0)
        {
            await pending[index].AckTerminateAsync(cancellationToken: cancellationToken);
            pending.RemoveAt(index);
        }
    }

    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Messages a pull without waiting delivered but the batch never took: handed back with the rest.
            if (fetch is not null && !waiting)
            {
                while (await fetch.MoveNextAsync())
                {
                    pending.Add(fetch.Current);
                }

                await fetch.DisposeAsync();
                fetch = null;
            }

            foreach (var message in pending)
            {
                await message.NakAsync(cancellationToken: cancellationToken);
            }

            pending.Clear();
            if (nats.ConnectionState == NatsConnectionState.Open)
            {
                await nats.PingAsync(cancellationToken);
            }
        }
        catch (NatsException)
        {
            // The connection is gone (the reason the batch failed, perhaps): JetStream delivers the batch again after ack_wait.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (fetch is not null)
        {
            await fetch.DisposeAsync();
        }

        await nats.DisposeAsync();
    }
}
