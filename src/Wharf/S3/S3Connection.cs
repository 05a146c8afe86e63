using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Wharf.Projects;

namespace Wharf.S3;

/// <summary>
/// One S3 client as the project's settings describe it (any S3-compatible endpoint, path style,
/// keys from the configuration or the SDK's default chain), with Wharf's retries: shared by the
/// <c>s3</c> files location and the lake on S3, so both reach a bucket the same way. Transient
/// failures (refused or cut connections, 5xx, throttling) are retried with backoff; every other
/// failure is said in words a user can act on, never with a key.
/// </summary>
internal sealed class S3Connection : IDisposable
{
    private readonly S3Settings settings;
    private readonly ResiliencePipeline retries;
    private readonly string bucketKey;

    /// <param name="bucketKey">Where the configuration names the bucket, for messages (<c>'bucket:'</c>, or the lake's <c>'lake: url:'</c>).</param>
    public S3Connection(S3Settings settings, TimeProvider time, ILogger? logger = null, int attempts = 4, string bucketKey = "'bucket:'")
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.settings = settings;
        this.bucketKey = bucketKey;
        // The SDK's own retries are few: Wharf's, below, know which failures are worth waiting for and say so.
        var config = new AmazonS3Config { ForcePathStyle = settings.PathStyle, MaxErrorRetry = 1, Timeout = TimeSpan.FromMinutes(2) };
        if (settings.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = settings.Region ?? "us-east-1";
        }
        else if (settings.Region is { } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        Client = settings.AccessKey is { } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, settings.SecretKey), config)
            : new AmazonS3Client(config);
        retries = TransferRetries.Build(time, attempts, IsTransient, logger ?? NullLogger.Instance, settings.Describe, Reason);
    }

    public AmazonS3Client Client { get; }

    public S3Settings Settings => settings;

    /// <summary>The server, as messages name it (no secret in it).</summary>
    public string Host => settings.Endpoint is { } endpoint ? new Uri(endpoint).Authority : $"s3.{settings.Region ?? "(default region)"}.amazonaws.com";

    /// <summary>
    /// One call, retried while it fails transiently; then the exception <paramref name="fail"/>
    /// makes of what failed (its reason in words, whether trying later can help, the cause).
    /// </summary>
    public async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, Func<string, bool, Exception, Exception> fail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fail);
        try
        {
            return await retries.ExecuteAsync(async token => await call(token), cancellationToken);
        }
        catch (Exception ex) when ((ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) && ex is not WharfException)
        {
            throw fail(Reason(ex), IsTransient(ex), ex);
        }
    }

    public static bool IsTransient(Exception ex) => ex switch
    {
        AmazonServiceException { StatusCode: HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError } => true,
        AmazonServiceException { ErrorCode: "SlowDown" or "RequestTimeout" or "InternalError" } => true,
        _ when Find<SocketException>(ex) is { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } => false,
        AmazonServiceException { StatusCode: > 0 and < HttpStatusCode.InternalServerError } => false,
        _ when Find<SocketException>(ex) is not null => true,
        HttpRequestException or IOException or TimeoutException => true,
        OperationCanceledException => true, // the SDK's own timeout (the caller's cancellation is not retried)
        _ => ex.InnerException is { } inner && IsTransient(inner),
    };

    /// <summary>What failed, in words a user can act on; never a key.</summary>
    public string Reason(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var socket = Find<SocketException>(ex);
        return ex switch
        {
            _ when socket is { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
                $"the host {Host} was not found (DNS); check 'endpoint:' and 'region:'",
            _ when socket is { SocketErrorCode: SocketError.ConnectionRefused } =>
                $"{Host} refused the connection; is the server running, and the endpoint's port right?",
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => $"the bucket {settings.Bucket} does not exist; check {bucketKey}",
            AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" } => "the server does not know the access key; check 'access_key:'",
            AmazonS3Exception { ErrorCode: "SignatureDoesNotMatch" } => "the server rejected the request's signature: the secret key is wrong; check 'secret_key:'",
            AmazonS3Exception { ErrorCode: "NoSuchKey" } => "the file is no longer there",
            AmazonS3Exception { ErrorCode: "PreconditionFailed" } or AmazonS3Exception { StatusCode: HttpStatusCode.PreconditionFailed } =>
                "the file changed since it was listed; run again to read its new content",
            AmazonS3Exception { ErrorCode: "AccessDenied" } or AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } =>
                $"access denied: the credentials may not do this in the bucket {settings.Bucket}; check the key's permissions",
            AmazonServiceException service => $"{service.ErrorCode ?? ((int)service.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {service.Message}",
            AmazonClientException client when client.Message.Contains("credential", StringComparison.OrdinalIgnoreCase) =>
                "no credentials: set 'access_key:' and 'secret_key:' (from ${VAR}s), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile",
            _ => ex.Message,
        };
    }

    public void Dispose() => Client.Dispose();

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }
}
