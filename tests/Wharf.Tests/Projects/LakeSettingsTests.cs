using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary><c>lake:</c> as a folder, an <c>s3://</c> URL or a mapping with credentials, and <c>lake_retention:</c>: read, and wrong values named at their line.</summary>
public sealed class LakeSettingsTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Project(string top, string pipelineKeys = "") => $$"""
        {{top}}
        connections:
          files: { type: files, path: data }
        pipelines:
          orders:
            source: files
            files: "*.csv"
        {{pipelineKeys}}
        """;

    [Fact]
    public async Task Load_LakeFolder_IsLocal()
    {
        folder.WriteProject(Project("lake: data-lake"));

        var project = await folder.LoadAsync();

        project.LakeS3.ShouldBeNull();
        project.LakeDirectory.ShouldBe(System.IO.Path.Combine(folder.Path, "data-lake"));
        project.LakeRetention.ShouldBeNull();
    }

    [Fact]
    public async Task Load_LakeUrl_IsABucketAndPrefix_WithTheCredentialChain_StagedUnderDotWharf()
    {
        folder.WriteProject(Project("lake: s3://my-bucket/warehouse/lake"));

        var project = await folder.LoadAsync();

        var s3 = project.LakeS3.ShouldNotBeNull();
        (s3.Bucket, s3.Prefix, s3.AccessKey, s3.SecretKey, s3.Endpoint).ShouldBe(("my-bucket", "warehouse/lake/", null, null, null));
        project.LakeDescription.ShouldBe("s3://my-bucket/warehouse/lake/");
        project.LakeDirectory.ShouldBe(System.IO.Path.Combine(folder.Path, ".wharf", "lake-staging"));
    }

    [Fact]
    public async Task Load_LakeMapping_ReadsEveryKey_AndHidesTheSecret()
    {
        folder.WriteProject(Project("""
            lake: { url: "s3://b/", region: eu-west-1, endpoint: "http://127.0.0.1:9000", path_style: true, access_key: AKIA1, secret_key: "${WHARF_TEST_LAKE_SECRET}" }
            lake_retention: { keep_days: 30, keep_runs: 10 }
            """, "    lake_retention: { keep_runs: 3 }"));

        var project = await folder.LoadAsync(new Dictionary<string, string> { ["WHARF_TEST_LAKE_SECRET"] = "lake-s3cr3t" });

        var s3 = project.LakeS3.ShouldNotBeNull();
        (s3.Bucket, s3.Prefix, s3.Region, s3.Endpoint, s3.PathStyle, s3.AccessKey, s3.SecretKey)
            .ShouldBe(("b", "", "eu-west-1", "http://127.0.0.1:9000", true, "AKIA1", "lake-s3cr3t"));
        s3.ToString().ShouldNotContain("lake-s3cr3t");
        project.LakeRetention.ShouldBe(new LakeRetention { KeepDays = 30, KeepRuns = 10 });
        project.Pipelines[0].LakeRetention.ShouldBe(new LakeRetention { KeepRuns = 3 });
    }

    [Theory]
    [InlineData("lake: { region: x }", "needs 'url:'")]
    [InlineData("lake: { url: /data/lake }", "must be s3://BUCKET/PREFIX/")]
    [InlineData("lake: s3:///lake", "names no bucket")]
    [InlineData("lake: { url: \"s3://b/\", access_key: A }", "sets 'access_key' without 'secret_key'")]
    [InlineData("lake: { url: \"s3://b/\", endpoint: nowhere }", "must be a URL")]
    [InlineData("lake: { url: \"s3://b/\", bucket: b }", "unknown key 'bucket'")]
    [InlineData("lake_retention: { }", "needs 'keep_days:'")]
    [InlineData("lake_retention: { keep_runs: 0 }", "must be at least 1")]
    [InlineData("lake_retention: { keep_weeks: 2 }", "unknown key 'keep_weeks'")]
    [InlineData("lake_retention: { keep_days: soon }", "must be a whole number")]
    public async Task Load_WrongLake_SaysWhat(string top, string problem)
    {
        var error = await folder.LoadFailsAsync(Project(top));

        error.Message.ShouldContain(problem);
        error.Line.ShouldBe(1);
    }
}
