using System.Runtime.CompilerServices;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Microsoft.Extensions.Logging;
using Wharf.Projects;
using Wharf.S3;

namespace Wharf.Lake;

/// <summary>
/// A lake in an S3 bucket under a prefix (<c>lake: s3://bucket/prefix/</c>), reached as the
/// <c>s3</c> files location reaches its bucket (<see cref="S3Connection"/>). Files are uploaded
/// whole (in parts above <see cref="PartSize"/>): S3 shows an object only once its upload
/// completed, so the bucket never holds half a file.
/// </summary>
internal sealed class S3LakeStore(S3Settings settings, TimeProvider time, ILogger? logger = null, int attempts = 4) : ILakeStore
{
    /// <summary>Files larger than this are uploaded in parts of this size, several at once.</summary>
    internal const long PartSize = 16L * 1024 * 1024;

    private readonly S3Connection s3 = new(settings, time, logger, attempts, bucketKey: "'lake:'");

    public string Describe() => settings.Describe();

    public bool IsLocal => false;

    public Task UploadAsync(string localPath, string relative, CancellationToken cancellationToken) =>
        CallAsync("upload", relative, async token =>
        {
            using var transfer = new TransferUtility(s3.Client, new TransferUtilityConfig { ConcurrentServiceRequests = 4 });
            await transfer.UploadAsync(new TransferUtilityUploadRequest
            {
                BucketName = settings.Bucket,
                Key = Key(relative),
                FilePath = localPath,
                PartSize = PartSize,
            }, token);
            return true;
        }, cancellationToken);

    public async IAsyncEnumerable<LakeObject> ListAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = settings.Bucket, Prefix = Key(folder.TrimEnd('/') + "/") };
        while (true)
        {
            var page = await CallAsync("list", folder + "/", token => s3.Client.ListObjectsV2Async(request, token), cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                if (!item.Key.EndsWith('/'))
                {
                    yield return new LakeObject(item.Key[settings.Prefix.Length..], item.Size ?? 0);
                }
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public Task DownloadAsync(string relative, string localPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        return CallAsync("download", relative, async token =>
        {
            var partial = localPath + ".part";
            try
            {
                using (var response = await s3.Client.GetObjectAsync(settings.Bucket, Key(relative), token))
                await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await response.ResponseStream.CopyToAsync(file, token);
                }

                File.Move(partial, localPath, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }

            return true;
        }, cancellationToken);
    }

    public Task DeleteAsync(string relative, CancellationToken cancellationToken) =>
        CallAsync("delete", relative, token => s3.Client.DeleteObjectAsync(settings.Bucket, Key(relative), token), cancellationToken);

    public void Dispose() => s3.Dispose();

    private string Key(string relative) => settings.Prefix + relative;

    private Task<T> CallAsync<T>(string what, string relative, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        s3.CallAsync(call, (reason, transient, ex) => new LakeException(relative,
            $"Could not {what} the lake file {Describe()}{relative}: {reason}.", ex, transient), cancellationToken);
}
