using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Quality;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Locations;

/// <summary>
/// What goes wrong with a bucket, through the real CLI and runs: transfers cut halfway (retried
/// from the start, never loaded half), a server that refuses, a host that does not resolve, a
/// missing bucket or prefix, a wrong secret or unknown access key (on a server that checks keys);
/// each said plainly, never with the secret key. And test-connection and discover when all is well.
/// </summary>
public sealed class S3FailureTests(PostgresServer postgres, S3Server s3)
{
    private static string Orders(int rows)
    {
        var csv = new StringBuilder("id,name\n");
        for (var i = 1; i <= rows; i++)
        {
            csv.Append(i).Append(",name-").Append(i).Append('\n');
        }

        return csv.ToString();
    }

    [Fact]
    public async Task ATransferCutHalfway_IsRetriedFromTheStart_AndLoadsEveryRowOnce()
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        await project.PutAsync("big.csv", Orders(5000));
        await using var proxy = new CuttingProxy(s3.Endpoint, "/big.csv", cuts: 1);
        project.Pipelines("""
            orders: { source: bucket, files: "*.csv" }
            """, endpoint: proxy.Endpoint);

        var record = (await project.RunOkAsync()).For("orders");

        proxy.Cut.ShouldBe(1);
        record.RowsLoaded.ShouldBe(5000);
        (await project.RowsAsync("select count(*), count(distinct id), max(id) from main.orders")).ShouldBe(["5000 | 5000 | 5000"]);
    }

    [Fact]
    public async Task ATransferThatKeepsBreaking_FailsTheRun_NamingTheFile_AndCommitsNothing()
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        await project.PutAsync("big.csv", Orders(5000));
        await project.PutAsync("small.csv", Orders(3));
        await using var proxy = new CuttingProxy(s3.Endpoint, "/big.csv", cuts: int.MaxValue);
        project.Pipelines("""
            orders: { source: bucket, files: "*.csv", incremental: files }
            """, endpoint: proxy.Endpoint);

        var record = (await project.RunAsync()).For("orders");

        record.Status.ShouldBe(RunStatus.Failed);
        record.Error!.ShouldContain("could not download big.csv");
        proxy.Cut.ShouldBeGreaterThan(1, "retried before giving up");
        (await project.RowsAsync("select count(*) from information_schema.tables where table_name = 'orders'")).ShouldBe(["0"]);
        (await project.RowsAsync("select count(*) from _wharf.state where pipeline = 'orders'")).ShouldBe(["0"]);
        project.SpooledFiles().ShouldBeEmpty("no half file is left to be read");
    }

    [Fact]
    public async Task TestConnection_AndDiscover_ListTheBucket()
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        await project.PutAsync("a.csv", "id\n1\n");
        await project.PutAsync("2026/b.csv", "id\n1\n2\n");
        await project.PutAsync("c.txt", "x");
        project.Pipelines("""
            orders: { source: bucket, files: "*.csv" }
            """);

        var test = await project.CliAsync(null, "test-connection", "bucket");
        test.ExitCode.ShouldBe(0, test.ToString());
        test.Output.ShouldContain($"ok: bucket: listed s3://{project.Bucket}/in/ at 127.0.0.1:");
        test.Output.ShouldContain("(3 files)");

        var discover = await project.CliAsync(null, "discover", "bucket", "--files", "**/*.csv", "--format", "json");
        discover.ExitCode.ShouldBe(0, discover.ToString());
        using var files = JsonDocument.Parse(discover.Output);
        files.RootElement.EnumerateArray().Select(f => $"{f.GetProperty("path").GetString()} {f.GetProperty("size").GetInt64()}")
            .ShouldBe(["2026/b.csv 7", "a.csv 5"]);
        files.RootElement[0].GetProperty("modified").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddHours(-1));

        var table = await project.CliAsync(null, "discover", "bucket");
        table.Output.ShouldContain("c.txt");
        table.Output.ShouldContain("3 file(s), 13 bytes");
        (test.ToString() + discover + table).ShouldNotContain(S3Server.SecretKey);
    }

    [Theory]
    [InlineData("refused", "refused the connection")]
    [InlineData("dns", "was not found (DNS)")]
    [InlineData("bucket", "does not exist; check 'bucket:'")]
    [InlineData("prefix", "holds nothing under the prefix nope/")]
    public async Task TestConnection_SaysWhatFailed_WithoutTheSecret(string failure, string expected)
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        await project.PutAsync("a.csv", "id\n1\n");
        var pipelines = """
            orders: { source: bucket, files: "*.csv" }
            """;
        _ = failure switch
        {
            "refused" => project.Pipelines(pipelines, endpoint: $"http://127.0.0.1:{FreePort()}"),
            "dns" => project.Pipelines(pipelines, endpoint: "http://no-such-host.invalid:9000"),
            "bucket" => project.Pipelines(pipelines, bucket: "wharf-no-such-bucket"),
            _ => project.Pipelines(pipelines, prefix: "nope/"),
        };

        var test = await project.CliAsync(null, "test-connection", "bucket");
        var run = await project.CliAsync(null, "run");

        test.ExitCode.ShouldNotBe(0, test.ToString());
        test.ToString().ShouldContain("bucket");
        test.ToString().ShouldContain(expected);
        run.ExitCode.ShouldNotBe(0, run.ToString());
        (test.ToString() + run).ShouldNotContain(S3Server.SecretKey);
        File.ReadAllText(Path.Combine(project.Root, "wharf.yml")).ShouldContain(S3Server.SecretKey, customMessage: "the secret was there to leak");
    }

    [Theory]
    [InlineData("right", null)]
    [InlineData("wrong-secret", "the secret key is wrong; check 'secret_key:'")]
    [InlineData("unknown-key", "the server does not know the access key; check 'access_key:'")]
    public async Task OnAServerThatChecksKeys_TheRightKeyLoads_AndAWrongOneIsSaidPlainly(string keys, string? expected)
    {
        var ct = TestContext.Current.CancellationToken;
        var (endpoint, key, secret) = S3Server.CheckingKeys();
        using var owner = new AmazonS3Client(new BasicAWSCredentials(key, secret), new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var bucket = $"wharf-{Guid.NewGuid():N}"[..30];
        await owner.PutBucketAsync(bucket, ct);
        await owner.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "in/a.csv", ContentBody = "id\n1\n2\n" }, ct);
        using var project = await S3Project.CreateAsync(postgres, s3);
        var (accessKey, secretKey) = keys switch
        {
            "wrong-secret" => (key, "not-" + secret),
            "unknown-key" => ("AKIAWHARFUNKNOWNKEY0", secret),
            _ => (key, secret),
        };
        // No prefix and a recursive glob: moto's signature check fails any request whose query has
        // an encoded '/' (a prefix or delimiter "in/"), which real S3 signs and checks alike.
        project.Pipelines("""
            orders: { source: bucket, files: "**/*.csv" }
            """, endpoint: endpoint, bucket: bucket, prefix: "", accessKey: accessKey, secretKey: secretKey);

        var test = await project.CliAsync(null, "test-connection", "bucket");
        var run = await project.CliAsync(null, "run");

        (test.ToString() + run).ShouldNotContain(secret[4..]);
        if (expected is null)
        {
            test.ExitCode.ShouldBe(0, test.ToString());
            run.ExitCode.ShouldBe(0, run.ToString());
            (await project.ScalarAsync("select count(*) from main.orders")).ShouldBe(2L);
            return;
        }

        test.ExitCode.ShouldNotBe(0, test.ToString());
        test.ToString().ShouldContain(expected);
        run.ExitCode.ShouldNotBe(0, run.ToString());
        run.ToString().ShouldContain(expected);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
