namespace Wharf.Projects;

/// <summary>
/// What a pipeline over a message broker (<c>rabbitmq</c>, <c>nats</c>) consumes, and in which
/// batches. Each batch is written to the lake, committed in the warehouse, and only then acknowledged.
/// </summary>
internal sealed record MessageStreamSettings
{
    /// <summary>The name of the column that holds each message's identity, the key of the merge when the pipeline declares none.</summary>
    public const string MessageIdColumn = "_message_id";

    /// <summary>RabbitMQ: the queue consumed (<c>queue:</c>).</summary>
    public string? Queue { get; init; }

    /// <summary>NATS: the JetStream stream (<c>stream:</c>).</summary>
    public string? Stream { get; init; }

    /// <summary>NATS: the subject filter of the consumer (<c>subject:</c>); the stream's every subject when null.</summary>
    public string? Subject { get; init; }

    /// <summary>NATS: the durable pull consumer's name (<c>durable:</c>); defaults to <c>wharf_&lt;pipeline&gt;</c>.</summary>
    public string? Durable { get; init; }

    /// <summary>How the payload is read (<c>format:</c>).</summary>
    public MessageFormat Format { get; init; } = MessageFormat.Json;

    /// <summary>Messages per batch at most (<c>batch: { max_messages }</c>); one commit and one acknowledgement each.</summary>
    public int BatchMessages { get; init; } = 10_000;

    /// <summary>How long a batch may gather messages before it is committed (<c>batch: { max_wait }</c>).</summary>
    public TimeSpan BatchWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A run ends when no message came for this long: the queue is drained (<c>idle_timeout:</c>).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A run ends after this many messages (<c>max_messages:</c>); null: when the queue is drained.</summary>
    public long? MaxMessages { get; init; }

    /// <summary>NATS: how long the server waits for a batch's acknowledgement before delivering its messages again (<c>ack_wait:</c>).</summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Deliveries after which a message whose payload cannot be read is dead-lettered instead of
    /// failing the batch again (<c>max_deliver:</c>): NATS stops delivering it; RabbitMQ rejects it
    /// without requeueing (to the queue's dead-letter exchange). Null: never (the batch fails each time).
    /// </summary>
    public int? MaxDeliver { get; init; }
}

/// <summary>How a message's payload becomes columns.</summary>
internal enum MessageFormat
{
    /// <summary>A JSON document: an object's fields become columns by the nested JSON rules; anything else is one column <c>value</c>.</summary>
    Json,

    /// <summary>UTF-8 text in one column <c>payload</c>.</summary>
    Text,

    /// <summary>The bytes as they came, in one BLOB column <c>payload</c>.</summary>
    Bytes,
}
