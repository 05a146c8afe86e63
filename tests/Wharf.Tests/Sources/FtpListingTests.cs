using Wharf.Sources.Files.Locations;

namespace Wharf.Tests.Sources;

public sealed class FtpListingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Mlsd_TakesTypeSizeAndTimeToTheSecond_AndNamesWithSpaces()
    {
        var item = FtpListing.ParseMlsd("type=file;size=1234;modify=20261205112633;UNIX.mode=0644; orders 2026.csv");

        item.ShouldBe(new FtpItem("orders 2026.csv", false, 1234, new DateTimeOffset(2026, 12, 5, 11, 26, 33, TimeSpan.Zero)));
        FtpListing.ParseMlsd("Type=dir;Modify=20260101000000.123; März")!.IsFolder.ShouldBeTrue();
        FtpListing.ParseMlsd("Type=dir;Modify=20260101000000.123; März")!.Modified.ShouldBe(new DateTimeOffset(2026, 1, 1, 0, 0, 0, 123, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("type=cdir;modify=20261205112633; .")]
    [InlineData("type=pdir;modify=20261205112633; ..")]
    [InlineData("type=OS.unix=symlink;modify=20261205112633; link")]
    [InlineData("garbage")]
    public void Mlsd_SkipsTheFolderItselfItsParentLinksAndNoise(string line) => FtpListing.ParseMlsd(line).ShouldBeNull();

    [Theory]
    [InlineData("-rw-r--r--    1 1000     1000          12 Dec 05 11:20 a.csv", "a.csv", false, 12, "2026-12-05T11:20:00")]
    [InlineData("-rw-r--r--    1 ftp      ftp     5000000 Jan 31  2024 old data.csv", "old data.csv", false, 5000000, "2024-01-31T00:00:00")]
    [InlineData("drwxrwxrwx    2 0        0            4096 Nov 30 09:05 2026", "2026", true, 4096, "2026-11-30T09:05:00")]
    [InlineData("-rw-r--r--    1 owner            12 Jan 02 10:00 nogroup.csv", "nogroup.csv", false, 12, "2026-01-02T10:00:00")]
    [InlineData("-rw-r--r--    1 1000     1000          12 Dec 24 11:20 lastyear.csv", "lastyear.csv", false, 12, "2025-12-24T11:20:00")]
    [InlineData("12-05-26  11:20AM                   12 a b.csv", "a b.csv", false, 12, "2026-12-05T11:20:00")]
    [InlineData("12-05-26  01:20PM       <DIR>          sub", "sub", true, 0, "2026-12-05T13:20:00")]
    public void List_ReadsUnixAndDosLines_TimesToTheMinute(string line, string name, bool isFolder, long size, string modified)
    {
        var item = FtpListing.ParseList(line, Now)!;

        (item.Name, item.IsFolder, item.Size).ShouldBe((name, isFolder, size));
        item.Modified.ShouldBe(DateTimeOffset.Parse(modified + "Z", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("total 12")]
    [InlineData("lrwxrwxrwx    1 0        0               5 Dec 05 11:20 link -> a.csv")]
    [InlineData("drwxr-xr-x    2 0        0            4096 Dec 05 11:20 .")]
    public void List_SkipsTotalsLinksAndTheFolderItself(string line) => FtpListing.ParseList(line, Now).ShouldBeNull();

    [Theory]
    [InlineData("20261205112633", "2026-12-05T11:26:33Z")]
    [InlineData("20261205112633.5", "2026-12-05T11:26:33.5Z")]
    [InlineData(" 20261205112633\r", "2026-12-05T11:26:33Z")]
    public void Mdtm_IsUtcToTheSecond(string text, string expected) =>
        FtpListing.ParseTime(text).ShouldBe(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Mdtm_ThatIsNotATime_IsNull() => FtpListing.ParseTime("2026-12-05").ShouldBeNull();
}
