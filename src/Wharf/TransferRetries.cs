using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Wharf;

/// <summary>
/// Retries of a call to a remote store (S3, SFTP): the failures it deems transient are tried again
/// with exponential backoff and jitter, each retry logged with what failed, up to a number of attempts.
/// </summary>
internal static partial class TransferRetries
{
    /// <param name="describe">The store, as messages name it (no secret).</param>
    /// <param name="reason">What failed, in words a user can act on.</param>
    /// <param name="beforeRetry">What to undo before trying again (a broken connection to drop).</param>
    public static ResiliencePipeline Build(
        TimeProvider time, int attempts, Func<Exception, bool> isTransient, ILogger logger, Func<string> describe, Func<Exception, string> reason, Action? beforeRetry = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && isTransient(ex)),
            MaxRetryAttempts = Math.Max(0, attempts - 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
            OnRetry = args =>
            {
                beforeRetry?.Invoke();
                Retrying(logger, describe(), reason(args.Outcome.Exception!), args.AttemptNumber + 2, attempts, args.RetryDelay.TotalSeconds);
                return ValueTask.CompletedTask;
            },
        }).Build();

    [LoggerMessage(1301, LogLevel.Warning, "{Location}: {Reason}; attempt {Attempt} of {Attempts} in {Delay:0.#} s")]
    private static partial void Retrying(ILogger logger, string location, string reason, int attempt, int attempts, double delay);
}
