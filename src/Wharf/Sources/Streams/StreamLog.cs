using Microsoft.Extensions.Logging;

namespace Wharf.Sources.Streams;

/// <summary>The log messages of message broker sources (descriptions already free of secrets).</summary>
internal static partial class StreamLog
{
    [LoggerMessage(EventId = 1401, Level = LogLevel.Debug, Message = "Pipeline '{Pipeline}': {Messages} messages of {Source} committed and acknowledged.")]
    public static partial void BatchCommitted(ILogger logger, string pipeline, int messages, string source);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Pipeline '{Pipeline}': {Delivery} of {Source} was dead-lettered after {Deliveries} deliveries: {Problem}.")]
    public static partial void DeadLettered(ILogger logger, string pipeline, string delivery, string source, long deliveries, string problem);
}
