using System.Reflection;
using Wharf.DuckDb;

namespace Wharf.Cli;

/// <summary>What <c>wharf --version</c> prints: Wharf's version (and commit, when built from git) and DuckDB's.</summary>
internal static class VersionText
{
    public static string Describe()
    {
        var informational = typeof(VersionText).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = plus < 0 ? informational : informational[..plus];
        var commit = plus < 0 ? "" : $" (commit {informational[(plus + 1)..][..Math.Min(7, informational.Length - plus - 1)]})";
        return $"wharf {version}{commit}, DuckDB {DuckDbConnections.LibraryVersion}";
    }
}
