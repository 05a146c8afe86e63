using Microsoft.Extensions.Logging;

namespace Wharf.Models;

/// <summary>What model builds log.</summary>
internal static partial class ModelLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Built {Model} as {Materialization} {Target}")]
    public static partial void Built(ILogger logger, string model, string materialization, string target);
}
