using System.Net;

namespace Wharf.Sources.Http;

/// <summary>
/// A request answered with a status other than 2xx, as it travels through the retry pipeline:
/// transient ones (408, 429, 5xx) are retried, honouring <see cref="RetryAfter"/>.
/// </summary>
internal sealed class HttpStatusFailure(HttpStatusCode status, string? reason, TimeSpan? retryAfter, string body)
    : Exception($"{(int)status} {reason}")
{
    public HttpStatusCode Status { get; } = status;

    public string? Reason { get; } = reason;

    /// <summary>How long the server asked to wait (<c>Retry-After</c>, seconds or a date), when it did.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The start of the answer's body, for the error message (secrets are masked before it is shown).</summary>
    public string Body { get; } = body;

    public bool IsTransient => (int)Status is 408 or 429 or >= 500;

    /// <summary>The wait a <c>Retry-After</c> header asks for, relative to <paramref name="now"/>; null when absent.</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
    }
}
