using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// The S3 server the location tests run against: moto's, started by scripts/test.sh (or any
/// S3-compatible server named by <c>WHARF_TEST_S3_ENDPOINT</c> that accepts any key). Without it
/// the tests fail under <c>CI=true</c> and are skipped elsewhere, saying how to get one. Each test
/// makes buckets of its own; they are emptied and removed when the run ends.
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    public const string Variable = "WHARF_TEST_S3_ENDPOINT";

    /// <summary>moto takes any key; these are what the tests' projects say.</summary>
    public const string AccessKey = "AKIAWHARFTEST";

    public const string SecretKey = "wharf-test-secret-4d9c7e1b";

    private const string MissingMessage =
        "WHARF_TEST_S3_ENDPOINT is not set: run the tests through ./scripts/test.sh, which starts moto " +
        "(or start one with `eval \"$(scripts/moto.sh start)\"`)";

    private readonly ConcurrentQueue<string> buckets = new();
    private AmazonS3Client? client;

    public string Endpoint { get; private set; } = "";

    /// <summary>
    /// The second server of scripts/moto.sh, which checks keys as AWS does, and the key of its one
    /// user (who may do anything in S3); or the test stops: failed under CI=true, skipped elsewhere.
    /// </summary>
    public static (string Endpoint, string AccessKey, string SecretKey) CheckingKeys()
    {
        var endpoint = Environment.GetEnvironmentVariable("WHARF_TEST_S3_AUTH_ENDPOINT");
        var key = Environment.GetEnvironmentVariable("WHARF_TEST_S3_AUTH_KEY");
        var secret = Environment.GetEnvironmentVariable("WHARF_TEST_S3_AUTH_SECRET");
        return string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret)
            ? throw TestServers.Missing("WHARF_TEST_S3_AUTH_ENDPOINT is not set: run the tests through ./scripts/test.sh, whose moto.sh starts an S3 server that checks keys", "S3 credentials")
            : (endpoint, key, secret);
    }

    public async ValueTask InitializeAsync()
    {
        var endpoint = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }

        var s3 = Connect(endpoint);
        try
        {
            await s3.ListBucketsAsync();
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException)
        {
            s3.Dispose();
            throw new InvalidOperationException($"Cannot reach the S3 server in {Variable} ({endpoint}): {e.Message}. Run the tests through ./scripts/test.sh, which starts one.", e);
        }

        Endpoint = endpoint;
        client = s3;
    }

    internal static AmazonS3Client Connect(string endpoint) => new(new BasicAWSCredentials(AccessKey, SecretKey),
        new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>The client, or the test stops: failed under CI=true, skipped elsewhere.</summary>
    public AmazonS3Client Client
    {
        get
        {
            if (client is not null)
            {
                return client;
            }

            throw TestServers.Missing(MissingMessage, "S3");
        }
    }

    /// <summary>A new, empty bucket of the test's own.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var name = $"wharf-{Guid.NewGuid():N}"[..30];
        await Client.PutBucketAsync(name, TestContext.Current.CancellationToken);
        buckets.Enqueue(name);
        return name;
    }

    public Task PutAsync(string bucket, string key, string text) =>
        Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = text }, TestContext.Current.CancellationToken);

    public Task PutAsync(string bucket, string key, byte[] bytes) =>
        Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(bytes) }, TestContext.Current.CancellationToken);

    /// <summary>Every key in the bucket, in order.</summary>
    public async Task<List<string>> KeysAsync(string bucket)
    {
        var response = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, TestContext.Current.CancellationToken);
        return [.. (response.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal)];
    }

    public async ValueTask DisposeAsync()
    {
        if (client is null)
        {
            return;
        }

        while (buckets.TryDequeue(out var bucket))
        {
            try
            {
                foreach (var key in await KeysAsync(bucket))
                {
                    await client.DeleteObjectAsync(bucket, key);
                }

                await client.DeleteBucketAsync(bucket);
            }
            catch (AmazonServiceException)
            {
                // The server goes away with the run anyway.
            }
        }

        client.Dispose();
    }
}
