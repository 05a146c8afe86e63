using Wharf.Lake;
using Wharf.Projects;
using Wharf.Sources.Files;
using Wharf.Sources.Http;

namespace Wharf.Sources.Streams;

/// <summary>
/// A pipeline over a message broker (<c>rabbitmq</c> queue, <c>nats</c> JetStream stream): one
/// stream committed part by part. Each batch (up to <c>batch.max_messages</c>, or what came within
/// <c>batch.max_wait</c>) is spooled on disk, written to the lake as one part (and one per child
/// table of its lists, see <see cref="ChildParts"/>), handed over to be
/// loaded and committed with the audit row and the state, and only then acknowledged. A run ends
/// when no message came for <c>idle_timeout</c> (drained) or after <c>max_messages</c>.
/// <para>
/// A crash before the commit leaves the batch un-acknowledged: the broker delivers it again. A crash
/// after the commit and before the acknowledgement delivers again messages that are loaded: each
/// row carries its message's identity (<c>_message_id</c>, or the pipeline's primary key) and the
/// load merges on it, so they are not loaded twice.
/// </para>
/// </summary>
internal sealed class MessageSource(ConnectionSettings connection, PipelineSettings pipeline, SourceContext context) : ISource
{
    /// <summary>How many idle timeouts in a row a broker that says it holds more messages is waited for.</summary>
    private const int MaxIdleChecks = 10;

    private MessageStreamSettings Settings => pipeline.Stream!;

    private bool Rabbit => connection.Type == "rabbitmq";

    private bool Quarantines => Settings.Format == MessageFormat.Json && pipeline.Rules.OnCheckFailure == CheckFailure.Quarantine;

    /// <summary>The dry run's view: the queue or stream, without connecting.</summary>
    public Task<IReadOnlyList<SourceStream>> PlanStreamsAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SourceStream>>([Stream()]);

    public Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default)
    {
        var spool = SpoolFolder();
        if (context.LakeDirectory is not null && Directory.Exists(spool))
        {
            // Left by a run that died; the pipeline's lock says no other run is using it.
            Directory.Delete(spool, recursive: true);
        }

        return Task.FromResult<IReadOnlyList<SourceStream>>([Stream()]);
    }

    private SourceStream Stream() => new(pipeline.Table, What(), pipeline.Table, [])
    {
        CommitsEachPart = true,
        PrimaryKey = pipeline.PrimaryKey,
    };

    public async Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(request);
        var folder = Path.Combine(SpoolFolder(), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var manifests = new List<LakeManifest>();
        var sampled = new SampledColumns();
        await using var consumer = await MessageConsumers.OpenAsync(connection, pipeline, context.Logger, cancellationToken);
        try
        {
            long received = 0;
            for (var part = 0; ; part++)
            {
                var room = Settings.MaxMessages is { } max ? max - received : long.MaxValue;
                var batch = await ReceiveBatchAsync(consumer, Path.Combine(folder, $"batch-{part:D6}.ndjson"), (int)Math.Min(Math.Min(Settings.BatchMessages, consumer.MaxBatch), room), cancellationToken);
                try
                {
                    if (batch.Received == 0)
                    {
                        break;
                    }

                    // A batch of dead-lettered messages alone has nothing to load.
                    if (batch.Spool.Messages > 0)
                    {
                        manifests.Add(await CommitAsync(batch.Spool, request, part, consumer, sampled, cancellationToken));
                        StreamLog.BatchCommitted(context.Logger, pipeline.Name, batch.Spool.Messages, consumer.Description);
                    }

                    received += batch.Received;
                    if (batch.Drained || received >= (Settings.MaxMessages ?? long.MaxValue))
                    {
                        break;
                    }
                }
                finally
                {
                    File.Delete(batch.Spool.Path);
                }
            }

            return manifests;
        }
        catch
        {
            // Not committed: the broker may deliver the batch again at once (not after an ack timeout).
            await consumer.ReleaseAsync(CancellationToken.None);
            throw;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A batch gathered in a spool file; drained when the queue had nothing more for <c>idle_timeout</c>.</summary>
    /// <param name="Received">Messages received, the dead-lettered ones included.</param>
    private sealed record Batch(MessageSpool Spool, int Received, bool Drained);

    private async Task<Batch> ReceiveBatchAsync(IMessageConsumer consumer, string path, int size, CancellationToken cancellationToken)
    {
        var spool = new MessageSpool(path, Settings.Format, Quarantines, Rabbit ? MessageSpool.RoutingKeyColumn : MessageSpool.SubjectColumn);
        try
        {
            var deadline = context.Time.GetUtcNow() + Settings.BatchWait;
            var drained = false;
            var received = 0;
            var idle = 0;
            while (received < size && context.Time.GetUtcNow() < deadline)
            {
                if (await consumer.NextAsync(size - received, Settings.IdleTimeout, cancellationToken) is not { } message)
                {
                    // Nothing for idle_timeout, but the broker may only be slow to deliver: drained when it holds nothing more.
                    if (++idle <= MaxIdleChecks && await consumer.HasWaitingAsync(cancellationToken))
                    {
                        continue;
                    }

                    drained = true;
                    break;
                }

                idle = 0;

                received++;
                SourceBytes.Add(message.Body.Length);

                if (await spool.WriteAsync(message, cancellationToken) is { } unreadable)
                {
                    await UnreadableAsync(consumer, message, unreadable, cancellationToken);
                }
            }

            await spool.CloseAsync(cancellationToken);
            return new Batch(spool, received, drained);
        }
        catch
        {
            spool.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A payload that cannot be read under <c>on_check_failure: fail</c>: the batch fails un-acknowledged,
    /// naming the message, unless it was delivered <c>max_deliver</c> times already: then it is dead-lettered.
    /// </summary>
    private async Task UnreadableAsync(IMessageConsumer consumer, BrokerMessage message, string problem, CancellationToken cancellationToken)
    {
        if (Settings.MaxDeliver is { } max && message.Deliveries >= max)
        {
            await consumer.DeadLetterAsync(message, cancellationToken);
            StreamLog.DeadLettered(context.Logger, pipeline.Name, message.Delivery, consumer.Description, message.Deliveries, problem);
            return;
        }

        var tries = message.Deliveries > 0 ? $" It was delivered {message.Deliveries} time(s)" + (Settings.MaxDeliver is { } limit ? $"; after {limit} it is dead-lettered." : "; set 'max_deliver:' to dead-letter it after that many.") : "";
        throw new SourceException(connection.Name, pipeline.Table,
            $"Pipeline '{pipeline.Name}': {message.Delivery} of {consumer.Description}: {problem}. The batch was not acknowledged, so the broker keeps it; " +
            $"fix or remove the message, or set 'on_check_failure: quarantine' to load it into {pipeline.Table}__quarantine with the reason.{tries} Nothing of this batch was loaded.");
    }

    /// <summary>
    /// The batch into the lake (its lists' child tables beside it), committed by the run
    /// (<see cref="ExtractRequest.OnPart"/>), then acknowledged.
    /// </summary>
    private async Task<LakeManifest> CommitAsync(MessageSpool spool, ExtractRequest request, int part, IMessageConsumer consumer, SampledColumns sampled, CancellationToken cancellationToken)
    {
        var tables = SpoolTables.Plan(request.WorkArea, [spool.Path], pipeline, connection.Name, spool.Shape, spool.OwnColumns, sampled);
        var width = ExtractColumns.OfWidth(new FileInfo(spool.Path).Length, spool.Messages);
        var manifest = await request.Lake.WriteAsync(request.WorkArea, request.Target with { Part = part }, Typed(tables[0].Sql), [consumer.Description], width, cancellationToken);
        var children = await ChildParts.WriteAsync(request, tables, part, [consumer.Description], roots: null, cancellationToken);
        if (request.OnPart is not null)
        {
            await request.OnPart(manifest, children, cancellationToken);
        }

        await consumer.AckAsync(cancellationToken);
        return manifest;
    }

    /// <summary>The metadata columns in their types, whatever DuckDB's JSON reader made of a batch (all NULL, numbers, text).</summary>
    private string Typed(string sql)
    {
        var id = Rabbit ? "CAST(_message_id AS VARCHAR)" : "CAST(_message_id AS BIGINT)";
        var key = Rabbit ? MessageSpool.RoutingKeyColumn : MessageSpool.SubjectColumn;
        List<string> columns =
        [
            $"{id} AS _message_id",
            $"CAST({key} AS VARCHAR) AS {key}",
            "CAST(_headers AS VARCHAR) AS _headers",
            "CAST(to_timestamp(0) + to_microseconds(CAST(_timestamp AS BIGINT)) AS TIMESTAMPTZ) AS _timestamp",
            "CAST(_redelivered AS BOOLEAN) AS _redelivered",
        ];
        if (Rabbit)
        {
            columns.Add("CAST(_exchange AS VARCHAR) AS _exchange");
        }

        if (Quarantines)
        {
            columns.Add($"CAST({MessageSpool.ErrorColumn} AS VARCHAR) AS {MessageSpool.ErrorColumn}");
            columns.Add($"CAST({MessageSpool.RawColumn} AS VARCHAR) AS {MessageSpool.RawColumn}");
        }

        if (Settings.Format == MessageFormat.Bytes)
        {
            columns.Add($"from_base64(CAST({MessageSpool.PayloadColumn} AS VARCHAR)) AS {MessageSpool.PayloadColumn}");
        }
        else if (Settings.Format == MessageFormat.Text)
        {
            columns.Add($"CAST({MessageSpool.PayloadColumn} AS VARCHAR) AS {MessageSpool.PayloadColumn}");
        }

        return $"SELECT * REPLACE ({string.Join(", ", columns)}) FROM ({sql})";
    }

    private string SpoolFolder() => Path.Combine(context.LakeDirectory ?? Path.GetTempPath(), pipeline.Name, ".spool");

    /// <summary>What the stream reads, for messages: <c>rabbitmq queue orders (json, batches of 10,000)</c>.</summary>
    private string What() =>
        $"{connection.Type} {(Rabbit ? $"queue {Settings.Queue}" : $"stream {Settings.Stream}{(Settings.Subject is { } subject ? $" subject {subject}" : "")}")} " +
        $"({Settings.Format.ToString().ToLowerInvariant()}, batches of {Settings.BatchMessages:N0})";
}
