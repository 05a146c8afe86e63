using Microsoft.Extensions.Logging;
using Wharf.Projects;

namespace Wharf.Sources.Streams;

/// <summary>Opens the consumer of a pipeline's queue or stream, by connection type.</summary>
internal static class MessageConsumers
{
    /// <exception cref="SourceException">The broker cannot be reached, refuses the credentials, or has no such queue or stream; the message says which, never the password.</exception>
    public static async Task<IMessageConsumer> OpenAsync(ConnectionSettings connection, PipelineSettings pipeline, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(pipeline);
        var settings = pipeline.Stream ?? throw new InvalidOperationException($"Pipeline '{pipeline.Name}' consumes no queue or stream.");
        return connection.Type switch
        {
            "rabbitmq" => await RabbitMqConsumer.OpenAsync(connection, pipeline.Table, settings, cancellationToken),
            "nats" => await NatsConsumer.OpenAsync(connection, pipeline.Table, settings, logger, cancellationToken),
            _ => throw new SourceException(connection.Name, pipeline.Table, $"Connection '{connection.Name}' has type '{connection.Type}', which is not a message broker."),
        };
    }
}
