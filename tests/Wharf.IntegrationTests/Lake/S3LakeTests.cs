using System.Text.RegularExpressions;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Locations;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Lake;

/// <summary>
/// The lake on S3 (moto): runs into DuckDB and PostgreSQL upload each part and then its manifest
/// in the local lake's layout before the load commits; a replay downloads them and rebuilds a
/// table the test destroyed; a run whose upload fails commits nothing; the secret key is nowhere.
/// </summary>
public sealed partial class S3LakeTests(PostgresServer postgres, S3Server s3)
{
    private const string Setup = """
        CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL);
        INSERT INTO items VALUES (1, 'one', '2026-01-01 10:00'), (2, 'two', '2026-01-01 11:00'), (3, 'three', '2026-01-01 12:00');
        """;

    private const string Merge = """
        mode: merge
        primary_key: id
        cursor: updated_at
        """;

    [GeneratedRegex(@"^items/items/\d{4}/\d{2}/\d{2}/(?<run>\d{8}T\d{9}Z-[0-9a-f]{6})-0000\.(parquet|manifest\.json)$")]
    private static partial Regex LakeKey();

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Runs_UploadTheLakeInItsLayout_AndReplayFromS3_RebuildsADroppedTable(WarehouseUnderTest kind)
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, kind, Setup);
        project.Configure(project.S3Lake(), Merge);
        var first = await project.RunAsync();
        await project.ExecuteSourceAsync("UPDATE items SET name = 'TWO', updated_at = '2026-01-02 09:00' WHERE id = 2; INSERT INTO items VALUES (4, 'four', '2026-01-02 10:00');");
        var second = await project.RunAsync();

        var keys = await project.LakeKeysAsync();
        keys.Count.ShouldBe(4, string.Join("\n", keys));
        keys.ShouldAllBe(k => LakeKey().IsMatch(k));
        keys.Select(k => LakeKey().Match(k).Groups["run"].Value).Distinct().Order(StringComparer.Ordinal).ShouldBe([first.RunId, second.RunId]);
        first.LakeFiles.ShouldHaveSingleItem().ShouldBeOneOf([.. keys]);
        project.LocalLakeFiles().ShouldBeEmpty("an S3 lake keeps nothing in the local lake folder");
        project.StagedFiles().ShouldBeEmpty("the staging folder goes with the run");

        var manifest = await ReadAsync(project, "lake/" + keys.First(k => k.EndsWith(".manifest.json", StringComparison.Ordinal) && k.Contains(second.RunId, StringComparison.Ordinal)));
        manifest.ShouldContain($"\"run_id\": \"{second.RunId}\"");
        manifest.ShouldContain($"\"rows\": {second.RowsExtracted}");
        manifest.ShouldNotContain(S3Server.SecretKey);

        var before = await project.TableAsync();
        before.ShouldBe(await project.SourceRowsAsync("SELECT id, name, updated_at FROM items ORDER BY id"));
        await project.ExecuteWarehouseAsync("DROP TABLE raw.items");

        var replay = await project.ReplayAsync();

        replay.Streams.ShouldHaveSingleItem().RowsExtracted.ShouldBe(first.RowsExtracted + second.RowsExtracted, "both runs are read back from the bucket");
        (await project.TableAsync()).ShouldBe(before);
        project.StagedFiles().ShouldBeEmpty("the replay's downloads go when it ends");
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task AFailedUpload_CommitsNothing_SaysWhichLakeFile_AndTheNextRunLoadsIt(WarehouseUnderTest kind)
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, kind, Setup);
        project.Configure(project.S3Lake(), Merge);
        await project.RunAsync();
        var table = await project.TableAsync();
        var watermark = await project.StateWatermarkAsync();
        await project.ExecuteSourceAsync("INSERT INTO items VALUES (5, 'five', '2026-01-03 10:00');");

        // The lake's bucket is gone (as if deleted, or its name mistyped).
        var missing = $"wharf-missing-{Guid.NewGuid():N}"[..30];
        project.Configure(project.S3Lake(missing), Merge);
        var failed = await project.CliAsync("run");

        failed.ExitCode.ShouldNotBe(0, failed.ToString());
        var said = failed.Output + failed.Error;
        said.ShouldContain($"Could not upload the lake file s3://{missing}/lake/items/items/");
        said.ShouldContain($"the bucket {missing} does not exist");
        said.ShouldNotContain(S3Server.SecretKey);
        (await project.TableAsync()).ShouldBe(table, "the warehouse is as the last good run left it");
        (await project.StateWatermarkAsync()).ShouldBe(watermark, "the state too");
        (await project.RowsAsync("SELECT error FROM _wharf.runs WHERE status = 'failed'")).ShouldHaveSingleItem().ShouldNotContain(S3Server.SecretKey);
        project.StagedFiles().ShouldBeEmpty();

        // What a run killed mid-upload would have left in its staging folder: the next run of the pipeline removes it.
        var dead = Path.Combine(project.Root, ".wharf", "lake-staging", "run-0123456789abcdef", LakeProject.Pipeline, "items");
        Directory.CreateDirectory(dead);
        await File.WriteAllTextAsync(Path.Combine(dead, "left.parquet"), "PAR1", TestContext.Current.CancellationToken);
        await s3.Client.PutBucketAsync(missing, TestContext.Current.CancellationToken);
        try
        {
            var next = await project.RunAsync();
            project.StagedFiles().ShouldBeEmpty("a dead run's staging folder goes with the next run of its pipeline");

            next.RowsLoaded.ShouldBe(1);
            (await project.TableAsync()).ShouldBe(await project.SourceRowsAsync("SELECT id, name, updated_at FROM items ORDER BY id"));
            (await project.LakeKeysAsync(missing)).Count.ShouldBe(2, "the part and its manifest");
        }
        finally
        {
            foreach (var key in await s3.KeysAsync(missing))
            {
                await s3.Client.DeleteObjectAsync(missing, key, TestContext.Current.CancellationToken);
            }

            await s3.Client.DeleteBucketAsync(missing, TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData(WarehouseUnderTest.DuckDb)]
    [InlineData(WarehouseUnderTest.Postgres)]
    public async Task Replace_WhenAListIsGoneFromTheFiles_EmptiesItsChildTable_FromTheBucketsLake_AlsoOnReplay(WarehouseUnderTest kind)
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, kind, Setup);
        async Task RunAsync(string document)
        {
            Directory.CreateDirectory(Path.Combine(project.Root, "data"));
            await File.WriteAllTextAsync(Path.Combine(project.Root, "data", "orders.json"), $"[{document}]", TestContext.Current.CancellationToken);
            File.WriteAllText(Path.Combine(project.Root, "wharf.yml"), $$"""
                {{project.WarehouseLine}}
                {{project.S3Lake()}}
                connections:
                  local: { type: files, path: data }
                pipelines:
                  {{LakeProject.Pipeline}}:
                    source: local
                    files: orders.json
                    table: orders
                    schema: raw
                    mode: replace
                """);
            var run = await project.CliAsync("run");
            run.ExitCode.ShouldBe(0, run.ToString());
        }

        await RunAsync("""{"id": 1, "items": [{"sku": "A", "tags": ["x", "y"]}]}""");
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items__tags")).ShouldBe(["2"]);
        project.LocalLakeFiles().ShouldBeEmpty("the earlier extracts are in the bucket only");

        await RunAsync("""{"id": 2, "items": [{"sku": "B"}]}""");

        (await project.RowsAsync("SELECT sku FROM raw.orders__items")).ShouldBe(["B"]);
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items__tags")).ShouldBe(["0"], "no tag may point at the item the replace dropped");
        var emptied = (await project.LakeKeysAsync()).Where(k => k.StartsWith($"{LakeProject.Pipeline}/orders__items__tags/", StringComparison.Ordinal) && k.EndsWith(".parquet", StringComparison.Ordinal)).ToList();
        emptied.Count.ShouldBe(2, "the first run's tags and the second run's empty extract, uploaded");

        // A replay from the bucket ends as the last run did, the emptied table included.
        await project.ExecuteWarehouseAsync("DROP TABLE raw.orders__items__tags");
        await project.ExecuteWarehouseAsync("DROP TABLE raw.orders__items");
        await project.ReplayAsync();
        (await project.RowsAsync("SELECT sku FROM raw.orders__items")).ShouldBe(["B"]);
        (await project.RowsAsync("SELECT count(*) FROM raw.orders__items__tags")).ShouldBe(["0"]);
    }

    [Fact]
    public async Task ADryRun_SaysTheLakeIsInTheBucket_AndWritesNothingThere()
    {
        using var project = await LakeProject.CreateAsync(postgres, s3, WarehouseUnderTest.DuckDb, Setup);
        project.Configure(project.S3Lake(), Merge);

        var plan = await project.CliAsync("run", "--dry-run");

        plan.ExitCode.ShouldBe(0, plan.ToString());
        plan.Output.ShouldContain($"s3://{project.Bucket}/lake/");
        plan.Output.ShouldNotContain(S3Server.SecretKey);
        (await project.LakeKeysAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task APartLargerThanOneUploadPart_GoesUpInParts_AndComesBackWhole()
    {
        // Random text does not compress: 200,000 rows of 256 hex digits make one Parquet part of
        // some 26 MB, above the 16 MiB at which uploads go in parts.
        using var project = await LakeProject.CreateAsync(postgres, s3, WarehouseUnderTest.DuckDb, """
            CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, updated_at timestamp NOT NULL);
            INSERT INTO items SELECT g.g, (SELECT string_agg(md5(random()::text || k.k || '-' || g.g), '') FROM generate_series(1, 8) AS k(k)), '2026-01-01'::timestamp + g.g * interval '1 second' FROM generate_series(1, 200000) AS g(g);
            """);
        project.Configure(project.S3Lake(), "mode: replace");
        var run = await project.RunAsync();

        var part = run.LakeFiles.ShouldHaveSingleItem();
        var head = await s3.Client.GetObjectMetadataAsync(project.Bucket, "lake/" + part, TestContext.Current.CancellationToken);
        head.ContentLength.ShouldBeGreaterThan(16L * 1024 * 1024);
        head.ContentLength.ShouldBe(run.BytesWritten, "the object is the whole part");
        head.ETag.ShouldMatch("-[0-9]+\"?$", "a multipart upload's ETag ends with its number of parts");

        var before = await project.RowsAsync("SELECT count(*), count(DISTINCT name), max(id) FROM raw.items");
        before.ShouldBe(["200000 | 200000 | 200000"]);
        await project.ExecuteWarehouseAsync("DROP TABLE raw.items");
        await project.ReplayAsync();
        (await project.RowsAsync("SELECT count(*), count(DISTINCT name), max(id) FROM raw.items")).ShouldBe(before);
    }

    [Fact]
    public async Task Serve_RunsIntoTheBucket_AndItsLakePagesSayTheLakeIsThere()
    {
        var ct = TestContext.Current.CancellationToken;
        using var project = await LakeProject.CreateAsync(postgres, s3, WarehouseUnderTest.DuckDb, Setup);
        project.Configure(project.S3Lake(), Merge);
        using var serve = Server.ServeProcess.Start(project.Root, null);
        using var http = new HttpClient { BaseAddress = await serve.ListeningAsync(ct) };

        (await http.PostAsync($"/api/pipelines/{LakeProject.Pipeline}/runs", null, ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted);
        for (var i = 0; i < 300 && !serve.Log.Contains(" finished: ", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100, ct);
        }

        serve.Log.ShouldContain(" finished: succeeded", Case.Sensitive, serve.Log);
        (await project.LakeKeysAsync()).Count.ShouldBe(2, "the part and its manifest");
        foreach (var page in new[] { "/lake", $"/lake/{LakeProject.Pipeline}/items" })
        {
            var html = await http.GetStringAsync(page, ct);
            html.ShouldContain($"The lake is on S3, at <code>s3://{project.Bucket}/lake/</code>", Case.Sensitive, html);
            html.ShouldNotContain(S3Server.SecretKey);
        }

        serve.Log.ShouldNotContain(S3Server.SecretKey);
    }

    private async Task<string> ReadAsync(LakeProject project, string key)
    {
        using var response = await s3.Client.GetObjectAsync(project.Bucket, key, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
