using Wharf.Sources;
using Wharf.Sources.Files;
using Wharf.Sources.Files.Locations;

namespace Wharf.Tests.Sources;

public sealed class LocationGlobTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("wharf-location-");

    public LocationGlobTests()
    {
        foreach (var file in new[]
        {
            "a.csv", "B.csv", "b.csv", "a1.csv", "a22.csv", "c.txt", "report (1).csv",
            "sub/x.csv", "sub/deep/y.csv", "sub/deep/deeper/z.csv", "other/w.csv",
        })
        {
            var path = Path.Combine(root.FullName, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file);
        }
    }

    public void Dispose() => root.Delete(recursive: true);

    private static SourceException Fail(string glob, string problem) => new("files", glob, problem);

    private async Task<IReadOnlyList<LocationEntry>> ListAsync()
    {
        var entries = new List<LocationEntry>();
        await foreach (var entry in new LocalFolderLocation(root.FullName).ListAsync("", recursive: true, CancellationToken.None))
        {
            entries.Add(entry);
        }

        return entries;
    }

    [Theory]
    [InlineData("*.csv")]
    [InlineData("a?.csv")]
    [InlineData("**/*.csv")]
    [InlineData("sub/**")]
    [InlineData("sub/*/y.csv")]
    [InlineData("sub/deep/**/*.csv")]
    [InlineData("report (1).csv")]
    public async Task Select_MatchesTheSameFilesAsTheLocalGlob(string glob)
    {
        var local = FileGlob.Expand(root.FullName, [glob], Fail)
            .Select(f => Path.GetRelativePath(root.FullName, f).Replace('\\', '/'));

        var listed = LocationGlob.Select(await ListAsync(), [glob], Fail, root.FullName).Select(e => e.Path);

        listed.ShouldBe(local);
    }

    [Theory]
    [InlineData("*.csv")]
    [InlineData("a?.csv")]
    [InlineData("**/*.csv")]
    [InlineData("sub/**")]
    [InlineData("sub/*/y.csv")]
    [InlineData("sub/deep/**/*.csv")]
    [InlineData("sub/deep/y.csv")]
    public async Task Match_ListingOnlyWhatTheGlobReaches_FindsTheSameFiles(string glob)
    {
        var local = FileGlob.Expand(root.FullName, [glob], Fail)
            .Select(f => Path.GetRelativePath(root.FullName, f).Replace('\\', '/'));

        // Through the listing (as a remote location lists), not the local folder's own glob search.
        var listed = await LocationGlob.MatchAsync(new LocalFolderLocation(root.FullName), [glob], Fail, CancellationToken.None);

        listed.Select(e => e.Path).ShouldBe(local);
    }

    [Theory]
    [InlineData("*.csv", "", false)]
    [InlineData("orders/*.csv", "orders", false)]
    [InlineData("orders/2026/a.csv", "orders/2026", false)]
    [InlineData("a.csv", "", false)]
    [InlineData("orders/**/*.csv", "orders", true)]
    [InlineData("orders/*/x.csv", "orders", true)]
    [InlineData("./in/**", "in", true)]
    public void Reach_IsTheFolderBeforeTheFirstWildcard(string glob, string folder, bool recursive)
    {
        LocationGlob.Reach(glob).ShouldBe((folder, recursive));
    }

    [Fact]
    public void Identity_ChangesWithSizeOrETagOrTime()
    {
        var time = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
        var file = new LocationEntry("in/a.csv", 10, time, "\"abc\"");

        file.Identity.ShouldNotBe((file with { Size = 11 }).Identity);
        file.Identity.ShouldNotBe((file with { ETag = "\"abd\"" }).Identity);
        file.Identity.ShouldBe((file with { ETag = "W/\"abc\"" }).Identity, "a weak ETag names the same version");
        (file with { ETag = null }).Identity.ShouldNotBe((file with { ETag = null, Modified = time.AddSeconds(1) }).Identity);
        LocationEntry.PathOf(file.Identity).ShouldBe("in/a.csv");
    }

    [Fact]
    public async Task Select_WhenTwoGlobsOverlap_ReturnsEachFileOnce()
    {
        var listed = LocationGlob.Select(await ListAsync(), ["a*.csv", "*.csv"], Fail, "here").Select(e => e.Path);

        listed.ShouldBe(["a.csv", "a1.csv", "a22.csv", "B.csv", "b.csv", "report (1).csv"]);
    }

    [Fact]
    public async Task Select_WhenNothingMatches_SaysWhereItLooked()
    {
        var error = Should.Throw<SourceException>(async () =>
            LocationGlob.Select(await ListAsync(), ["*.parquet"], Fail, "s3://raw/exports/"));

        error.Message.ShouldContain("no file matches '*.parquet' in s3://raw/exports/");
    }

    [Fact]
    public async Task List_GivesSizeAndModificationTime()
    {
        var entry = (await ListAsync()).Single(e => e.Path == "sub/deep/y.csv");

        entry.Size.ShouldBe("sub/deep/y.csv".Length);
        entry.Modified.ShouldBe(new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(root.FullName, "sub", "deep", "y.csv"))));
    }

    [Fact]
    public async Task Download_CopiesTheFileWholeAndLeavesNoPartialFile()
    {
        var location = new LocalFolderLocation(root.FullName);
        var entry = (await ListAsync()).Single(e => e.Path == "sub/x.csv");
        var spool = Path.Combine(root.FullName, "spool", "x.csv");

        await location.DownloadAsync(entry, spool, CancellationToken.None);

        File.ReadAllText(spool).ShouldBe("sub/x.csv");
        File.Exists(spool + ".part").ShouldBeFalse();
    }

    [Fact]
    public async Task Move_PutsTheFileWhereItIsTold_MakingTheFolders_AndNeverOverAnother()
    {
        var location = new LocalFolderLocation(root.FullName);
        var entry = (await ListAsync()).Single(e => e.Path == "other/w.csv");

        await location.MoveAsync(entry, "archive/other/w.csv", CancellationToken.None);

        File.Exists(Path.Combine(root.FullName, "other", "w.csv")).ShouldBeFalse();
        File.ReadAllText(Path.Combine(root.FullName, "archive", "other", "w.csv")).ShouldBe("other/w.csv");
        var another = (await ListAsync()).Single(e => e.Path == "a.csv");
        await Should.ThrowAsync<IOException>(() => location.MoveAsync(another, "archive/other/w.csv", CancellationToken.None));
        File.ReadAllText(Path.Combine(root.FullName, "archive", "other", "w.csv")).ShouldBe("other/w.csv");
    }

    [Fact]
    public async Task Probe_WhenTheFolderIsMissing_NamesIt()
    {
        var missing = Path.Combine(root.FullName, "nope");

        var error = await Should.ThrowAsync<LocationException>(() =>
            new LocalFolderLocation(missing).ProbeAsync(CancellationToken.None));

        error.Message.ShouldContain(missing);
    }
}
