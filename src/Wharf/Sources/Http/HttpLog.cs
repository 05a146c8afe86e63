using Microsoft.Extensions.Logging;

namespace Wharf.Sources.Http;

/// <summary>The log messages of HTTP sources (URLs and reasons already masked by the caller).</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Connection '{Connection}': {Method} {Url} failed ({Reason}); attempt {Next} of {Attempts} in {DelaySeconds:0.###} s.")]
    public static partial void Retrying(ILogger logger, string connection, string method, string url, string reason, int next, int attempts, double delaySeconds);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Connection '{Connection}': {Url} answered 401; asking for a new token and sending once more.")]
    public static partial void RefreshingCredentials(ILogger logger, string connection, string url);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Connection '{Connection}' does not verify TLS certificates (tls: insecure_skip_verify: true): anyone on the network path can read and change its traffic.")]
    public static partial void TlsVerificationOff(ILogger logger, string connection);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Debug, Message = "Pipeline '{Pipeline}': {Method} {Url} → {Status}, {Records} records (page {Page}).")]
    public static partial void PageFetched(ILogger logger, string pipeline, string method, string url, int status, int records, int page);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Pipeline '{Pipeline}': resuming after partition {Checkpoint}, committed by an earlier run; {Left} of {Total} partitions left.")]
    public static partial void Resuming(ILogger logger, string pipeline, string checkpoint, int left, int total);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Pipeline '{Pipeline}': stopped at max_pages ({Pages}) while {Url} had a next page; records past it were not read.")]
    public static partial void MaxPagesReached(ILogger logger, string pipeline, int pages, string url);
}
