namespace Wharf.Sources.Streams;

/// <summary>One message as a broker delivered it, with what is kept of it as columns.</summary>
/// <param name="Body">The payload, copied out of the client's buffers.</param>
internal sealed record BrokerMessage(ReadOnlyMemory<byte> Body)
{
    /// <summary>
    /// The message's identity as text, the merge key that makes a redelivery load nothing twice:
    /// RabbitMQ's message-id property (else a hash of the content). A NATS message has <see cref="Sequence"/> instead.
    /// </summary>
    public string Id { get; init; } = "";

    /// <summary>NATS's stream sequence, the message's identity, stored as BIGINT; null for RabbitMQ's.</summary>
    public ulong? Sequence { get; init; }

    /// <summary>The routing key (RabbitMQ) or subject (NATS).</summary>
    public string? Key { get; init; }

    /// <summary>RabbitMQ: the exchange it was published to (empty: the default exchange).</summary>
    public string? Exchange { get; init; }

    /// <summary>The headers, as name and text, in the order they came.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Headers { get; init; } = [];

    /// <summary>When it was published (RabbitMQ's timestamp property, NATS's stream time), when known.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>Whether the broker delivered it before (to a consumer that did not acknowledge it).</summary>
    public bool Redelivered { get; init; }

    /// <summary>How many times it was delivered, this time included, when the broker counts (NATS, RabbitMQ quorum queues); 0 when unknown.</summary>
    public long Deliveries { get; init; }

    /// <summary>What the consumer needs to settle this one message (a delivery tag, a reply subject).</summary>
    public object? Receipt { get; init; }

    /// <summary>The delivery, for messages: <c>delivery 17 (message id 42)</c>, <c>message 42 (subject orders.new)</c>; made when asked for.</summary>
    public string Delivery => Sequence is { } sequence ? $"message {sequence} (subject {Key})" : $"delivery {Receipt} (message id {Id})";
}

/// <summary>
/// A consumer of one queue or stream that receives messages one by one and acknowledges them only
/// when told: everything received since the last acknowledgement is the batch being committed.
/// </summary>
internal interface IMessageConsumer : IAsyncDisposable
{
    /// <summary>What is consumed, for messages and the manifest, without secrets: <c>queue orders on amqp://host:5672/</c>.</summary>
    string Description { get; }

    /// <summary>The most messages one batch can hold un-acknowledged (RabbitMQ's prefetch is at most 65,535).</summary>
    int MaxBatch { get; }

    /// <summary>The next message, or null when none came for <paramref name="idle"/>: the queue is drained.</summary>
    /// <param name="upTo">How many more messages the batch (or run) takes: the consumer asks the broker for no more.</param>
    ValueTask<BrokerMessage?> NextAsync(int upTo, TimeSpan idle, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the broker still holds messages for this consumer that it has not delivered: asked
    /// when none came for <c>idle_timeout</c>, so a broker slow to deliver (a long queue paged to
    /// disk, a busy machine) is not taken for a drained one.
    /// </summary>
    Task<bool> HasWaitingAsync(CancellationToken cancellationToken);

    /// <summary>Acknowledges every message received since the last acknowledgement (they are committed).</summary>
    Task AckAsync(CancellationToken cancellationToken);

    /// <summary>Dead-letters one received message: it is not delivered again (NATS: terminated; RabbitMQ: rejected without requeue).</summary>
    Task DeadLetterAsync(BrokerMessage message, CancellationToken cancellationToken);

    /// <summary>Hands back every message received since the last acknowledgement, to be delivered again (the batch failed).</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);
}
