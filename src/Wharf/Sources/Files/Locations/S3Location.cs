using System.Runtime.CompilerServices;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Wharf.Projects;
using Wharf.S3;

namespace Wharf.Sources.Files.Locations;

/// <summary>
/// An S3 bucket (AWS, or any S3-compatible server at <c>endpoint:</c>) under a prefix. Transient
/// failures (refused or cut connections, 5xx, throttling, a body shorter than announced) are
/// retried with backoff; a download is always retried from its start, so a file is never read half.
/// </summary>
internal sealed class S3Location : IFileLocation
{
    private readonly S3Settings settings;
    private readonly S3Connection s3;

    public S3Location(S3Settings settings, TimeProvider time, ILogger? logger = null, int attempts = 4)
    {
        this.settings = settings;
        s3 = new S3Connection(settings, time, logger, attempts);
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
            var page = await CallAsync("list files", token => s3.Client.ListObjectsV2Async(request, token), cancellationToken);
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
            using var response = await s3.Client.GetObjectAsync(new GetObjectRequest { BucketName = settings.Bucket, Key = Key(entry), EtagToMatch = entry.ETag }, token);
            await WholeDownload.WriteAsync(entry, localPath, response.ResponseStream.CopyToAsync, "", token);
            return true;
        }, cancellationToken);
    }

    public Task MoveAsync(LocationEntry entry, string targetPath, CancellationToken cancellationToken) =>
        CallAsync($"move {entry.Path} to {targetPath}", async token =>
        {
            await s3.Client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = settings.Bucket,
                SourceKey = Key(entry),
                DestinationBucket = settings.Bucket,
                DestinationKey = settings.Prefix + targetPath,
            }, token);
            return await s3.Client.DeleteObjectAsync(settings.Bucket, Key(entry), token);
        }, cancellationToken);

    public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken) =>
        CallAsync($"delete {entry.Path}", token => s3.Client.DeleteObjectAsync(settings.Bucket, Key(entry), token), cancellationToken);

    public async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = settings.Bucket, Prefix = settings.Prefix, MaxKeys = 1000 };
        var page = await CallAsync("list files", token => s3.Client.ListObjectsV2Async(request, token), cancellationToken);
        var count = page.S3Objects?.Count(o => !o.Key.EndsWith('/')) ?? 0;
        if (count == 0 && settings.Prefix.Length > 0)
        {
            throw new LocationException($"{Describe()}: the bucket {settings.Bucket} answers, but holds nothing under the prefix {settings.Prefix}. Check 'prefix:'.", transient: false);
        }

        var more = page.IsTruncated == true ? "+" : "";
        return $"listed {Describe()} at {Host} ({count:N0}{more} files).";
    }

    public void Dispose() => s3.Dispose();

    private string Key(LocationEntry entry) => settings.Prefix + entry.Path;

    private LocationEntry Entry(S3Object item) => new(
        item.Key[settings.Prefix.Length..],
        item.Size ?? 0,
        item.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified.ToUniversalTime(), DateTimeKind.Utc)) : DateTimeOffset.UnixEpoch,
        string.IsNullOrEmpty(item.ETag) ? null : item.ETag);

    private string Host => s3.Host;

    /// <summary>One call, retried while it fails transiently; then a <see cref="LocationException"/> saying what failed.</summary>
    private Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        s3.CallAsync(call, (reason, transient, ex) => new LocationException($"{Describe()}: could not {what}: {reason}.", transient, ex), cancellationToken);
}
