using System.Diagnostics;
using Wharf.IntegrationTests;

namespace Wharf.BrowserTests;

/// <summary>Runs the real <c>wharf</c> CLI (the wharf.dll built beside the tests) and returns its exit code and output.</summary>
internal static class WharfCli
{
    public static async Task<(int Exit, string Output)> RunAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wharf.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>A copy of an example project in a fresh temporary folder.</summary>
    public static string CopyExample(string example)
    {
        var from = Path.Combine(RepositoryRoot.Path, "examples", example);
        var to = Directory.CreateTempSubdirectory($"wharf-browser-{example}-").FullName;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            // What an earlier build left in the example is not part of it.
            if (relative.StartsWith("target", StringComparison.Ordinal) || relative.Contains(".duckdb", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }

        return to;
    }
}
