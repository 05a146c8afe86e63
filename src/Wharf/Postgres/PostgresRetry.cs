using Npgsql;
using Polly;
using Polly.Retry;

namespace Wharf.Postgres;

/// <summary>
/// Retries a whole unit of PostgreSQL work (a load) when it fails transiently (connection reset,
/// server restart, serialization failure, deadlock), with exponential backoff and jitter.
/// Permanent errors (authentication, syntax, constraints) are not retried. A retried load starts
/// over in a new transaction; the failed attempt was rolled back, so nothing is applied twice.
/// </summary>
internal static class PostgresRetry
{
    private static readonly ResiliencePipeline Pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(PostgresErrors.IsTransient)
                .Handle<WharfException>(ex => ex.IsTransient),
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
        })
        .Build();

    public static async Task<T> RunAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken) =>
        await Pipeline.ExecuteAsync(async _ => await action(), cancellationToken);
}
