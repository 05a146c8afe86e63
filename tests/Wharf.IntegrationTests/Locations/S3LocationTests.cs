using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Quality;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Locations;

/// <summary>Files in an S3 bucket (moto's server): globs over nested folders, compression, zips, the manifest's identities, and the spool cleaned.</summary>
public sealed class S3LocationTests(PostgresServer postgres, S3Server s3)
{
    [Fact]
    public async Task Globs_NestedFolders_Gzip_AndZip_LoadFromTheBucket()
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        await project.PutAsync("a.csv", "id,name\n1,a\n2,b\n");
        await project.PutAsync("b.csv", "id,name\n3,c\n");
        await project.PutAsync("2026/12/c.csv.gz", Gzip("id,name\n4,d\n"));
        await project.PutAsync("batch.zip", Zip(("m1.csv", "id,name\n5,e\n"), ("sub/m2.csv", "id,name\n6,f\n")));
        await project.PutAsync("notes.txt", "not data");
        await s3.PutAsync(project.Bucket, "out/x.csv", "id,name\n99,outside\n");
        project.Pipelines("""
            top: { source: bucket, files: "*.csv" }
            deep: { source: bucket, files: "**/*.csv.gz" }
            zipped: { source: bucket, files: "*.zip" }
            every: { source: bucket, files: ["**/*.csv", "**/*.csv.gz"] }
            """);

        var summary = await project.RunOkAsync();

        (await project.RowsAsync("select id, name from main.top order by id")).ShouldBe(["1 | a", "2 | b", "3 | c"]);
        (await project.RowsAsync("select id, name from main.deep order by id")).ShouldBe(["4 | d"]);
        (await project.RowsAsync("select id, name from main.zipped order by id")).ShouldBe(["5 | e", "6 | f"]);
        (await project.RowsAsync("select id from main.every order by id")).ShouldBe(["1", "2", "3", "4"], "nothing outside the prefix, no .txt");
        summary.For("top").Source.ShouldContain($"s3://{project.Bucket}/in/");

        // The manifest names each file with its identity at the location.
        using var manifest = JsonDocument.Parse(project.Manifests("top").ShouldHaveSingleItem());
        var files = manifest.RootElement.GetProperty("source_files").EnumerateArray().ToList();
        files.Select(f => f.GetProperty("path").GetString()).ShouldBe(["a.csv", "b.csv"]);
        files[0].GetProperty("location").GetString().ShouldBe($"s3://{project.Bucket}/in/");
        files[0].GetProperty("size").GetInt64().ShouldBe("id,name\n1,a\n2,b\n".Length);
        files[0].GetProperty("etag").GetString().ShouldNotBeNullOrEmpty();
        using var zipManifest = JsonDocument.Parse(project.Manifests("zipped").ShouldHaveSingleItem());
        zipManifest.RootElement.GetProperty("source_files").EnumerateArray().Select(f => f.GetProperty("path").GetString())
            .ShouldBe(["batch.zip/m1.csv", "batch.zip/sub/m2.csv"]);
        project.SpooledFiles().ShouldBeEmpty("the spool is removed when the run ends");
        manifest.RootElement.ToString().ShouldNotContain(S3Server.SecretKey);
    }

    [Fact]
    public async Task GlobMatchingNothing_SaysWhereItLooked()
    {
        using var project = await S3Project.CreateAsync(postgres, s3);
        await project.PutAsync("a.csv", "id\n1\n");
        project.Pipelines("""
            orders: { source: bucket, files: "orders/*.parquet" }
            """);

        var summary = await project.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        summary.For("orders").Error!.ShouldContain($"no file matches 'orders/*.parquet' in s3://{project.Bucket}/in/");
    }

    internal static byte[] Gzip(string text)
    {
        using var bytes = new MemoryStream();
        using (var gzip = new GZipStream(bytes, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return bytes.ToArray();
    }

    internal static byte[] Zip(params (string Name, string Text)[] members)
    {
        using var bytes = new MemoryStream();
        using (var zip = new ZipArchive(bytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in members)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(text);
            }
        }

        return bytes.ToArray();
    }
}
