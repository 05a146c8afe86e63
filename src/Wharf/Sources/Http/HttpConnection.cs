using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Wharf.Projects;

namespace Wharf.Sources.Http;

/// <summary>
/// One <c>http</c> connection for a run: its client (TLS, automatic gzip/deflate/brotli), its
/// credentials, and the rules every request follows: at most <c>max_concurrency</c> in flight,
/// spaced by <c>rate_limit</c>, each attempt bounded by <c>timeout</c>, transient failures
/// (network, 408, 429, 5xx) retried with exponential backoff and jitter or after the server's
/// <c>Retry-After</c>, within <c>retry.attempts</c> and <c>retry.max_time</c>. REST pipelines and
/// other HTTP sources (SOAP) send through it.
/// </summary>
internal sealed class HttpConnection : IDisposable
{
    private readonly HttpClient client;
    private readonly IHttpAuth? auth;
    private readonly RequestPacer? pacer;
    private readonly SemaphoreSlim inFlight;
    private readonly ResiliencePipeline attempt;
    private readonly ILogger logger;
    private readonly TimeProvider time;

    private HttpConnection(ConnectionSettings connection, HttpConnectionSettings settings, ILogger logger, TimeProvider time)
    {
        Name = connection.Name;
        Settings = settings;
        this.logger = logger;
        this.time = time;
        Secrets = new SecretMask(settings.Secrets);
        client = new HttpClient(HttpHandler.Create(settings, connection.Name, logger), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("wharf/" + (typeof(HttpConnection).Assembly.GetName().Version?.ToString(3) ?? "0"));
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        foreach (var (name, value) in settings.Headers)
        {
            client.DefaultRequestHeaders.Remove(name);
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        inFlight = new SemaphoreSlim(settings.MaxConcurrency);
        pacer = settings.RateLimit is { } rate ? new RequestPacer(rate, time) : null;
        auth = HttpAuth.Create(settings.Auth, RequestTokenAsync, Secrets, time);
        attempt = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(settings.Timeout).Build();
    }

    public string Name { get; }

    public HttpConnectionSettings Settings { get; }

    /// <summary>Masks this connection's secrets in text and URLs; use it on everything shown.</summary>
    public SecretMask Secrets { get; }

    public static HttpConnection Create(ConnectionSettings connection, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var settings = connection.Http ?? throw new ArgumentException($"Connection '{connection.Name}' is not an http connection.", nameof(connection));
        return new HttpConnection(connection, settings, logger, time);
    }

    /// <summary>An endpoint as an absolute URL: as written when absolute, the base URL when empty, else under the base URL (its path kept).</summary>
    public Uri Resolve(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Length == 0)
        {
            // A SOAP pipeline posts to the connection's endpoint itself.
            return Settings.BaseUrl;
        }

        return Uri.TryCreate(endpoint, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? absolute
            : new Uri(Settings.BaseUrl.AbsoluteUri.TrimEnd('/') + "/" + endpoint.TrimStart('/'));
    }

    /// <summary>
    /// Sends the request, retried as the connection says, and hands a successful (2xx) answer to
    /// <paramref name="read"/> within the same attempt: a body that breaks off while read is a
    /// failed attempt too, so <paramref name="read"/> must start over each time it is called.
    /// </summary>
    /// <exception cref="HttpSourceException">Every attempt failed, or the failure is not transient; the message says why.</exception>
    public async Task<T> SendAsync<T>(HttpRequestSpec request, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var attempts = 0;
        Exception? last = null;
        var givenUp = false;
        var retries = Retries(request, () => attempts, () => givenUp = true);
        try
        {
            return await retries.ExecuteAsync(async token =>
            {
                attempts++;
                try
                {
                    return await OnceAsync(request, read, token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || ex is TimeoutRejectedException)
                {
                    last = ex;
                    throw;
                }
            }, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (last is not null || ex is TimeoutRejectedException))
        {
            var failure = givenUp ? last ?? ex : ex;
            var tried = attempts > 1 ? $" ({attempts} attempts{(givenUp ? $", gave up after retry.max_time {Settings.Retry.MaxTime.TotalSeconds:0.#} s" : "")})" : "";
            if (failure is HttpStatusFailure { IsTransient: true, RetryAfter: { } wait } && wait >= Settings.Retry.MaxTime)
            {
                tried += $" The server asked to wait {wait.TotalSeconds:0.#} s (Retry-After), longer than retry.max_time ({Settings.Retry.MaxTime.TotalSeconds:0.#} s), so it was not tried again: raise max_time to wait, or run later.";
            }

            throw new HttpSourceException(Name, $"{request.Method} {Secrets.Url(request.Url)}: {HttpFailure.Explain(failure, Settings.Timeout, Secrets)}{tried}", failure)
            {
                Url = Secrets.Url(request.Url),
                StatusCode = HttpFailure.StatusOf(failure),
                Transient = HttpFailure.IsTransient(failure),
            };
        }
    }

    /// <summary>One attempt, not retried: at most one request in flight per slot, paced, bounded by the timeout.</summary>
    private async Task<T> OnceAsync<T>(HttpRequestSpec request, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        await inFlight.WaitAsync(cancellationToken);
        try
        {
            if (pacer is not null)
            {
                await pacer.WaitAsync(cancellationToken);
            }

            return await attempt.ExecuteAsync(async token =>
            {
                for (var refreshed = false; ; refreshed = true)
                {
                    using var message = request.ToMessage();
                    var used = request.Authenticate && auth is not null ? await auth.ApplyAsync(message, token) : null;
                    using var response = await SendOnceAsync(message, token);
                    if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized && request.Authenticate && auth is { CanRefresh: true } && !refreshed)
                    {
                        // A token revoked or expired early: ask for a new one, once.
                        var shown = Secrets.Url(request.Url);
                        HttpLog.RefreshingCredentials(logger, Name, shown);
                        await auth.RefreshAsync(used, token);
                        continue;
                    }

                    if (!response.IsSuccessStatusCode && !(request.ReadsFaults && IsFault(response)))
                    {
                        throw new HttpStatusFailure(response.StatusCode, response.ReasonPhrase, HttpStatusFailure.RetryAfterOf(response, time.GetUtcNow()), await SnippetAsync(response, token));
                    }

                    return await read(response, token);
                }
            }, cancellationToken);
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>A SOAP fault's answer: 500 with an XML body (SOAP 1.1 and 1.2 both say so).</summary>
    private static bool IsFault(HttpResponseMessage response) =>
        response.StatusCode == System.Net.HttpStatusCode.InternalServerError && response.Content.Headers.ContentType?.MediaType?.Contains("xml", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Sends; a connection not made within the timeout is a network error (retried), not a cancellation.</summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (OperationCanceledException ex) when (ex.InnerException is TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"no connection within {Settings.Timeout.TotalSeconds:0.###} s (the connection's 'timeout')", ex);
        }
    }

    private ResiliencePipeline Retries(HttpRequestSpec request, Func<int> attempts, Action givenUp)
    {
        var retry = Settings.Retry;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(new TimeoutStrategyOptions
        {
            Timeout = retry.MaxTime,
            OnTimeout = _ =>
            {
                givenUp();
                return ValueTask.CompletedTask;
            },
        });
        if (retry.Attempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && ShouldRetry(ex)),
                MaxRetryAttempts = retry.Attempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.Delay,
                MaxDelay = retry.MaxTime,
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is HttpStatusFailure { RetryAfter: { } after } ? after : (TimeSpan?)null),
                OnRetry = args =>
                {
                    var (shown, reason) = (Secrets.Url(request.Url), HttpFailure.Explain(args.Outcome.Exception!, Settings.Timeout, Secrets));
                    HttpLog.Retrying(logger, Name, request.Method.Method, shown, reason, attempts() + 1, retry.Attempts, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        return builder.Build();
    }

    /// <summary>Transient failures only, and not a wait longer than the whole retry budget.</summary>
    private bool ShouldRetry(Exception ex) => ex switch
    {
        HttpStatusFailure status => status.IsTransient && (status.RetryAfter is null || status.RetryAfter < Settings.Retry.MaxTime),
        _ => HttpFailure.IsTransient(ex),
    };

    private Task<(int Status, string Body)> RequestTokenAsync(Uri tokenUrl, IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        var body = string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var request = new HttpRequestSpec(HttpMethod.Post, tokenUrl) { Body = body, ContentType = "application/x-www-form-urlencoded", Authenticate = false };
        return TokenAttemptsAsync(request, cancellationToken);
    }

    /// <summary>A token request: a refusal (400, 401) comes back as an answer for the token's own error; other failures are retried.</summary>
    private async Task<(int Status, string Body)> TokenAttemptsAsync(HttpRequestSpec request, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(request, async (response, token) => ((int)response.StatusCode, await response.Content.ReadAsStringAsync(token)), cancellationToken);
        }
        catch (HttpSourceException ex) when (ex.InnerException is HttpStatusFailure { Status: System.Net.HttpStatusCode.BadRequest or System.Net.HttpStatusCode.Unauthorized } refused)
        {
            return ((int)refused.Status, refused.Body);
        }
    }

    /// <summary>The start of an error answer's body, for the message.</summary>
    private static async Task<string> SnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var buffer = new char[2048];
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            var read = await reader.ReadBlockAsync(buffer, cancellationToken);
            return new string(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return "";
        }
    }

    public void Dispose()
    {
        client.Dispose();
        inFlight.Dispose();
        (auth as IDisposable)?.Dispose();
    }
}
