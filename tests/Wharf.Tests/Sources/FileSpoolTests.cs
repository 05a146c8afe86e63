using System.IO.Compression;
using System.Text.Json;
using Wharf.Lake;
using Wharf.Sources.Files.Locations;

namespace Wharf.Tests.Sources;

/// <summary>The spool: local files read in place, remote ones downloaded whole, zips unpacked, names kept, and nothing left behind.</summary>
public sealed class FileSpoolTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("wharf-spool-");

    public void Dispose() => root.Delete(recursive: true);

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(root.FullName, name)).FullName;

    private static LocationEntry Entry(string folder, string path) =>
        new(path, new FileInfo(Path.Combine(folder, path)).Length, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public async Task Fetch_LocalFiles_AreReadWhereTheyAre()
    {
        var data = Folder("data");
        File.WriteAllText(Path.Combine(data, "a.csv"), "id\n1\n");
        using var spool = new FileSpool(Path.Combine(root.FullName, "spool"));

        var files = await spool.FetchAsync(new LocalFolderLocation(data), [Entry(data, "a.csv")], CancellationToken.None);

        files.ShouldHaveSingleItem().LocalPath.ShouldBe(Path.Combine(data, "a.csv"));
        Directory.Exists(spool.Folder).ShouldBeFalse("nothing was downloaded");
    }

    [Fact]
    public async Task Fetch_RemoteFiles_AreDownloadedUnderTheirPath_AndRemovedWithTheSpool()
    {
        var data = Folder("remote");
        Directory.CreateDirectory(Path.Combine(data, "in", "2026"));
        File.WriteAllText(Path.Combine(data, "in", "2026", "a.csv"), "id\n1\n");
        var spool = new FileSpool(Path.Combine(root.FullName, "spool"));

        var file = (await spool.FetchAsync(new RemoteFolder(data), [Entry(data, "in/2026/a.csv")], CancellationToken.None)).ShouldHaveSingleItem();

        file.Name.ShouldBe("in/2026/a.csv");
        file.LocalPath.ShouldStartWith(spool.Folder);
        File.ReadAllText(file.LocalPath).ShouldBe("id\n1\n");
        spool.Dispose();
        Directory.Exists(spool.Folder).ShouldBeFalse();
    }

    [Fact]
    public async Task Fetch_Zip_GivesEachMemberNamedAfterTheZip()
    {
        var data = Folder("zips");
        using (var zip = ZipFile.Open(Path.Combine(data, "batch.zip"), ZipArchiveMode.Create))
        {
            Write(zip, "one.csv", "id\n1\n");
            Write(zip, "more/two.csv", "id\n2\n");
            zip.CreateEntry("empty-folder/");
        }

        using var spool = new FileSpool(Path.Combine(root.FullName, "spool"));

        var files = await spool.FetchAsync(new LocalFolderLocation(data), [Entry(data, "batch.zip")], CancellationToken.None);

        files.Select(f => f.Name).ShouldBe(["batch.zip/one.csv", "batch.zip/more/two.csv"]);
        files.Select(f => File.ReadAllText(f.LocalPath)).ShouldBe(["id\n1\n", "id\n2\n"]);
        files.ShouldAllBe(f => f.Entry.Path == "batch.zip");
    }

    [Fact]
    public async Task Fetch_ZipWithAMemberClimbingOut_IsRefused()
    {
        var data = Folder("evil");
        using (var zip = ZipFile.Open(Path.Combine(data, "evil.zip"), ZipArchiveMode.Create))
        {
            Write(zip, "../../outside.csv", "id\n1\n");
        }

        using var spool = new FileSpool(Path.Combine(root.FullName, "spool"));

        var error = await Should.ThrowAsync<LocationException>(() => spool.FetchAsync(new LocalFolderLocation(data), [Entry(data, "evil.zip")], CancellationToken.None));

        error.Message.ShouldContain("points outside its folder");
        File.Exists(Path.Combine(root.FullName, "outside.csv")).ShouldBeFalse();
    }

    [Fact]
    public async Task Fetch_NotAZip_SaysWhich()
    {
        var data = Folder("broken");
        File.WriteAllText(Path.Combine(data, "broken.zip"), "this is no zip");
        using var spool = new FileSpool(Path.Combine(root.FullName, "spool"));

        var error = await Should.ThrowAsync<LocationException>(() => spool.FetchAsync(new LocalFolderLocation(data), [Entry(data, "broken.zip")], CancellationToken.None));

        error.Message.ShouldContain("broken.zip is not a readable zip file");
    }

    [Fact]
    public void SourceFile_LocalIsItsPath_RemoteKeepsItsIdentity_AndBothReadBack()
    {
        var modified = new DateTimeOffset(2026, 12, 4, 10, 30, 0, TimeSpan.Zero);
        var manifest = new LakeManifest
        {
            RunId = "r", Pipeline = "p", Stream = "s", File = "f", Rows = 1, Bytes = 1, Columns = [], SourceQuery = "q",
            StartedAt = modified, FinishedAt = modified,
            SourceFiles = ["local.csv", new LakeSourceFile("in/a.csv") { Location = "s3://raw/x/", Size = 12, Modified = modified, ETag = "\"e1\"" }],
        };

        var json = JsonSerializer.Serialize(manifest, LakeManifest.Json);
        using var document = JsonDocument.Parse(json);
        var files = document.RootElement.GetProperty("source_files");
        files[0].GetString().ShouldBe("local.csv");
        files[1].GetProperty("location").GetString().ShouldBe("s3://raw/x/");
        files[1].GetProperty("etag").GetString().ShouldBe("\"e1\"");

        JsonSerializer.Deserialize(json, LakeManifest.Json)!.SourceFiles.ShouldBe(manifest.SourceFiles);
    }

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open());
        writer.Write(text);
    }

    /// <summary>A folder that pretends to be remote: it must be downloaded.</summary>
    private sealed class RemoteFolder(string root) : IFileLocation
    {
        private readonly LocalFolderLocation local = new(root);

        public string Describe() => "remote:" + root;

        public IAsyncEnumerable<LocationEntry> ListAsync(string folder, bool recursive, CancellationToken cancellationToken) => local.ListAsync(folder, recursive, cancellationToken);

        public string? LocalPath(LocationEntry entry) => null;

        public Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken) => local.DownloadAsync(entry, localPath, cancellationToken);

        public Task MoveAsync(LocationEntry entry, string targetFolder, CancellationToken cancellationToken) => local.MoveAsync(entry, targetFolder, cancellationToken);

        public Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken) => local.DeleteAsync(entry, cancellationToken);

        public Task<string> ProbeAsync(CancellationToken cancellationToken) => local.ProbeAsync(cancellationToken);

        public void Dispose() => local.Dispose();
    }
}
