using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Wharf.Projects;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// An S3 bucket (AWS, or any S3-compatible server at <c>endpoint:</c>) under a prefix. Transient
/// failures (refused or cut connections, 5xx, throttling, a body shorter than announced) are
/// retried with backoff; a download is always retried from its start, so a file is never read half.
/// </summary>
internal sealed class S3Location : IFileLocation
{
    private readonly S3Settings settings;
    private readonly AmazonS3Client client;
    private readonly ResiliencePipeline retries;
    private readonly ILogger logger;

    public S3Location(S3Settings settings, TimeProvider time, ILogger? logger = null, int attempts = 4)
    {
        this.settings = settings;
        this.logger = logger ?? NullLogger.Instance;
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

        client = settings.AccessKey is { } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, settings.SecretKey), config)
            : new AmazonS3Client(config);
        retries = new ResiliencePipelineBuilder { TimeProvider = time }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && IsTransient(ex)),
            MaxRetryAttempts = Math.Max(0, attempts - 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
            OnRetry = args =>
            {
                S3Log.Retrying(this.logger, Describe(), Reason(args.Outcome.Exception!), args.AttemptNumber + 2, attempts, args.RetryDelay.TotalSeconds);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    public string Describe() => settings.Describe();

    public async IAsyncEnumerable<LocationEntry> ListAsync(string folder, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request
        {
            BucketName = settings.Bucket,
            Prefix = settings.Prefix + (folder.Length == 0 ? "" : folder.TrimEnd('/') + "/"),
            Delimiter = recursive ? null : "/",
        };
        while (true)
        {
            var page = await CallAsync("list files", token => client.ListObjectsV2Async(request, token), cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                // Zero-byte "folder" markers some tools write are not files.
                if (!item.Key.EndsWith('/'))
                {
                    yield return Entry(item);
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public string? LocalPath(LocationEntry entry) => null;

    public Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        return CallAsync($"download {entry.Path}", async token =>
        {
            // If-Match: a file rewritten since it was listed fails here rather than loading
            // content that its recorded identity does not describe.
            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = settings.Bucket, Key = Key(entry), EtagToMatch = entry.ETag }, token);
            await WholeDownload.WriteAsync(entry, localPath, response.ResponseStream.CopyToAsync, "", token);
            return true;
        }, cancellationToken);
    }

    public Task MoveAsync(LocationEntry entry, string targetFolder, CancellationToken cancellationToken) =>
        CallAsync($"move {entry.Path} to {targetFolder}/", async token =>
        {
            await client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = settings.Bucket,
                SourceKey = Key(entry),
                DestinationBucket = settings.Bucket,
                DestinationKey = settings.Prefix + targetFolder.Trim('/') + "/" + entry.Path,
            }, token);
            return await client.DeleteObjectAsync(settings.Bucket, Key(entry), token);
        }, cancellationToken);

    public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken) =>
        CallAsync($"delete {entry.Path}", token => client.DeleteObjectAsync(settings.Bucket, Key(entry), token), cancellationToken);

    public async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = settings.Bucket, Prefix = settings.Prefix, MaxKeys = 1000 };
        var page = await CallAsync("list files", token => client.ListObjectsV2Async(request, token), cancellationToken);
        var count = page.S3Objects?.Count(o => !o.Key.EndsWith('/')) ?? 0;
        if (count == 0 && settings.Prefix.Length > 0)
        {
            throw new LocationException($"{Describe()}: the bucket {settings.Bucket} answers, but holds nothing under the prefix {settings.Prefix}. Check 'prefix:'.", transient: false);
        }

        var more = page.IsTruncated == true ? "+" : "";
        return $"listed {Describe()} at {Host} ({count:N0}{more} files).";
    }

    public void Dispose() => client.Dispose();

    private string Key(LocationEntry entry) => settings.Prefix + entry.Path;

    private LocationEntry Entry(S3Object item) => new(
        item.Key[settings.Prefix.Length..],
        item.Size ?? 0,
        item.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch,
        string.IsNullOrEmpty(item.ETag) ? null : item.ETag);

    private string Host => settings.Endpoint is { } endpoint ? new Uri(endpoint).Authority : $"s3.{settings.Region ?? "(default region)"}.amazonaws.com";

    /// <summary>One call, retried while it fails transiently; then a <see cref="LocationException"/> saying what failed.</summary>
    private async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await retries.ExecuteAsync(async token => await call(token), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (ex is LocationException)
            {
                throw;
            }

            throw new LocationException($"{Describe()}: could not {what}: {Reason(ex)}.", IsTransient(ex), ex);
        }
    }

    internal static bool IsTransient(Exception ex) => ex switch
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
    private string Reason(Exception ex)
    {
        var socket = Find<SocketException>(ex);
        return ex switch
        {
            _ when socket is { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
                $"the host {Host} was not found (DNS); check 'endpoint:' and 'region:'",
            _ when socket is { SocketErrorCode: SocketError.ConnectionRefused } =>
                $"{Host} refused the connection; is the server running, and the endpoint's port right?",
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => $"the bucket {settings.Bucket} does not exist; check 'bucket:'",
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

internal static partial class S3Log
{
    [LoggerMessage(1301, LogLevel.Warning, "{Location}: {Reason}; attempt {Attempt} of {Attempts} in {Delay:0.#} s")]
    public static partial void Retrying(ILogger logger, string location, string reason, int attempt, int attempts, double delay);
}
