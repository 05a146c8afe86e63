using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using Wharf.Tests.Cli;

namespace Wharf.Tests.Packaging;

/// <summary>
/// scripts/pack.sh makes the library and the tool packages; the tool installs with
/// <c>dotnet tool install</c> into a folder of its own and runs the quickstart from anywhere,
/// with DuckDB's native library from inside the package and nothing from the source tree.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("wharf-pack-");

    public void Dispose() => temp.Delete(recursive: true);

    private static string Version => typeof(Wharf.WharfException).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public async Task PackedTool_InstallsIntoAFolder_AndRunsTheQuickstartFromElsewhere()
    {
        var root = QuickstartExampleTests.RepositoryRoot();
        var packages = Path.Combine(temp.FullName, "packages");
#if DEBUG
        string[] build = [];
#else
        string[] build = ["--no-build"]; // scripts/test.sh has just built Release
#endif
        var pack = await RunAsync(root, "bash", [Path.Combine(root, "scripts", "pack.sh"), packages, .. build]);
        pack.ExitCode.ShouldBe(0, pack.Text);

        var library = Path.Combine(packages, $"Wharf.{Version}.nupkg");
        File.Exists(Path.Combine(packages, $"Wharf.Cli.{Version}.nupkg")).ShouldBeTrue(pack.Text);
        File.Exists(Path.Combine(packages, $"Wharf.{Version}.snupkg")).ShouldBeTrue(pack.Text);
        using (var zip = ZipFile.OpenRead(library))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            entries.ShouldContain("lib/net10.0/Wharf.Core.dll");
            entries.ShouldContain("lib/net10.0/Wharf.Core.xml");
            entries.ShouldContain("README.md");
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var manifest = await nuspec.ReadToEndAsync(TestContext.Current.CancellationToken);
            manifest.ShouldContain("<license type=\"expression\">MIT</license>");
            manifest.ShouldContain("DuckDB.NET.Data.Full");
        }

        // A package cache of its own: a second run must not install a stale copy of the same version.
        var tools = Path.Combine(temp.FullName, "tools");
        var install = await RunAsync(temp.FullName, "dotnet", ["tool", "install", "Wharf.Cli", "--tool-path", tools, "--add-source", packages, "--version", Version],
            ("NUGET_PACKAGES", Path.Combine(temp.FullName, "nuget")));
        install.ExitCode.ShouldBe(0, install.Text);

        var work = Path.Combine(temp.FullName, "elsewhere");
        CopyQuickstart(Path.Combine(root, "examples", "quickstart"), Path.Combine(work, "qs"));
        var wharf = Path.Combine(tools, "wharf");

        var version = await RunAsync(work, wharf, ["--version"]);
        version.ExitCode.ShouldBe(0, version.Text);
        version.Text.ShouldStartWith($"wharf {Version}");
        version.Text.ShouldContain("DuckDB v1.5.");

        var run = await RunAsync(work, wharf, ["run", "--project", "qs"]);
        run.ExitCode.ShouldBe(0, run.Text);
        run.Text.ShouldContain("Done: 1,913 rows in 4 table(s)");
        var query = await RunAsync(work, wharf, ["query", "select count(*) as n from raw.customers", "--project", "qs", "--format", "csv"]);
        query.Text.ReplaceLineEndings("\n").ShouldBe("n\n120\n");
    }

    private static void CopyQuickstart(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}lake{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("warehouse.duckdb", StringComparison.Ordinal)))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task<(int ExitCode, string Text)> RunAsync(string folder, string file, IEnumerable<string> arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
