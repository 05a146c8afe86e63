using System.Diagnostics;
using System.Reflection;

namespace Wharf.Runs;

/// <summary>Who and what runs: the user, the machine, Wharf's version, and the process's peak memory so far, for the audit row.</summary>
internal static class RunOrigin
{
    private static readonly Lazy<string> WharfVersionText = new(() =>
    {
        var informational = typeof(RunOrigin).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    });

    public static string User => Environment.UserName;

    public static string Host => Environment.MachineName;

    /// <summary>Wharf's version, without the commit (e.g. <c>0.9.0</c>).</summary>
    public static string Version => WharfVersionText.Value;

    /// <summary>The process's peak working set so far, in bytes (Linux: VmHWM).</summary>
    public static long PeakMemoryBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
