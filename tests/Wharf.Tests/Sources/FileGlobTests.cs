using Wharf.Sources;
using Wharf.Sources.Files;

namespace Wharf.Tests.Sources;

public sealed class FileGlobTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("wharf-glob-");

    public FileGlobTests()
    {
        foreach (var file in new[]
        {
            "a.csv", "B.csv", "b.csv", "a1.csv", "a22.csv", "c.txt", "report (1).csv",
            "sub/x.csv", "sub/deep/y.csv", "sub/deep/deeper/z.csv", "other/w.csv",
        })
        {
            var path = Path.Combine(root.FullName, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "x\n");
        }

        Directory.CreateDirectory(Path.Combine(root.FullName, "folder.csv"));
    }

    public void Dispose() => root.Delete(recursive: true);

    private static SourceException Fail(string glob, string problem) => new("files", glob, problem);

    private IReadOnlyList<string> Expand(params string[] globs) =>
        [.. FileGlob.Expand(root.FullName, globs, Fail).Select(f => Path.GetRelativePath(root.FullName, f).Replace('\\', '/'))];

    [Fact]
    public void Expand_WhenGlobHasAStar_MatchesTheTopFolderOnlyInOrdinalOrder()
    {
        Expand("*.csv").ShouldBe(["B.csv", "a.csv", "a1.csv", "a22.csv", "b.csv", "report (1).csv"]);
    }

    [Fact]
    public void Expand_ReturnsAbsolutePaths()
    {
        var files = FileGlob.Expand(root.FullName, ["*.txt"], Fail);

        files.ShouldBe([Path.Combine(root.FullName, "c.txt")]);
    }

    [Fact]
    public void Expand_WhenGlobHasAQuestionMark_MatchesExactlyOneCharacter()
    {
        Expand("a?.csv").ShouldBe(["a1.csv"]);
    }

    [Fact]
    public void Expand_WhenNameHoldsRegexCharacters_MatchesThemLiterally()
    {
        Expand("report (?).csv").ShouldBe(["report (1).csv"]);
    }

    [Fact]
    public void Expand_WhenGlobStartsWithDoubleStar_MatchesAtAnyDepthIncludingTheTop()
    {
        Expand("**/*.csv").ShouldBe([
            "B.csv", "a.csv", "a1.csv", "a22.csv", "b.csv", "other/w.csv", "report (1).csv",
            "sub/deep/deeper/z.csv", "sub/deep/y.csv", "sub/x.csv",
        ]);
    }

    [Fact]
    public void Expand_WhenDoubleStarIsInsideAFolder_MatchesAtAnyDepthBelowIt()
    {
        Expand("sub/**/*.csv").ShouldBe(["sub/deep/deeper/z.csv", "sub/deep/y.csv", "sub/x.csv"]);
    }

    [Fact]
    public void Expand_WhenDoubleStarIsFollowedByAFileName_FindsItAtAnyDepth()
    {
        Expand("**/y.csv").ShouldBe(["sub/deep/y.csv"]);
    }

    [Fact]
    public void Expand_WhenStarStandsForAFolder_MatchesOneLevelOnly()
    {
        Expand("sub/*/*.csv").ShouldBe(["sub/deep/y.csv"]);
        Expand("*/x.csv").ShouldBe(["sub/x.csv"]);
    }

    [Fact]
    public void Expand_WhenGlobIsAPlainFileName_ReturnsThatFile()
    {
        Expand("sub/deep/y.csv").ShouldBe(["sub/deep/y.csv"]);
    }

    [Fact]
    public void Expand_WhenOnlyAFolderMatches_MatchesNothing()
    {
        Should.Throw<SourceException>(() => Expand("folder*")).Stream.ShouldBe("folder*");
    }

    [Fact]
    public void Expand_WhenGlobClimbsOutOfTheRoot_ReturnsNormalizedPathsOnce()
    {
        var sub = Path.Combine(root.FullName, "sub");

        var files = FileGlob.Expand(sub, ["../other/*.csv", "../other/w.csv"], Fail);

        files.ShouldBe([Path.Combine(root.FullName, "other", "w.csv")]);
    }

    [Fact]
    public void Expand_WhenGlobsOverlap_ReturnsEachFileOnceInTheOrderOfTheGlobs()
    {
        Expand("sub/x.csv", "*.csv", "a.csv", "sub/*.csv", "c.txt")
            .ShouldBe(["sub/x.csv", "B.csv", "a.csv", "a1.csv", "a22.csv", "b.csv", "report (1).csv", "c.txt"]);
    }

    [Fact]
    public void Expand_WhenRootEndsWithASeparator_StillRemovesDuplicates()
    {
        // ConnectionSettings.Path keeps the trailing slash of "path: data/".
        var files = FileGlob.Expand(root.FullName + Path.DirectorySeparatorChar, ["a*.csv", "a.csv"], Fail);

        files.ShouldBe([
            Path.Combine(root.FullName, "a.csv"),
            Path.Combine(root.FullName, "a1.csv"),
            Path.Combine(root.FullName, "a22.csv"),
        ]);
    }

    [Fact]
    public void Expand_WhenGlobMatchesNothing_FailsNamingTheGlob()
    {
        var error = Should.Throw<SourceException>(() => Expand("*.csv", "*.parquet"));

        error.Stream.ShouldBe("*.parquet");
        error.Message.ShouldContain("no file matches '*.parquet'");
        error.Message.ShouldContain(root.FullName);
    }

    [Fact]
    public void Expand_WhenTheGlobsFolderDoesNotExist_FailsNamingTheGlob()
    {
        var error = Should.Throw<SourceException>(() => Expand("nope/*.csv"));

        error.Stream.ShouldBe("nope/*.csv");
        error.Message.ShouldContain("no file matches 'nope/*.csv'");
    }

    [Fact]
    public void Expand_WhenPlainFileIsMissing_SaysWhichFileDoesNotExist()
    {
        var error = Should.Throw<SourceException>(() => Expand("sub/missing.csv"));

        error.Stream.ShouldBe("sub/missing.csv");
        error.Message.ShouldContain($"the file {Path.Combine(root.FullName, "sub", "missing.csv")} does not exist");
    }

    [Fact]
    public void Expand_WhenRootIsMissing_SaysTheConnectionFolderDoesNotExist()
    {
        var missing = Path.Combine(root.FullName, "no-such-folder");

        var error = Should.Throw<SourceException>(() => FileGlob.Expand(missing, ["*.csv"], Fail));

        error.Message.ShouldContain($"the connection's folder {missing} does not exist");
    }

    [Fact]
    public void Expand_WhenNoGlobsAreGiven_ReturnsNothing()
    {
        Expand().ShouldBeEmpty();
    }
}
