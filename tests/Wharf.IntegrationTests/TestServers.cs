using System.Diagnostics;

namespace Wharf.IntegrationTests;

/// <summary>What a test does when the server it needs (started by scripts/test.sh) is not there.</summary>
internal static class TestServers
{
    /// <summary>
    /// Under <c>CI=true</c>, the exception that fails the test (a skipped test would look like a
    /// pass there); elsewhere the test is skipped with <paramref name="missingMessage"/>.
    /// </summary>
    /// <param name="what">The tests, as the message names them ("FTP", "MySQL").</param>
    public static Exception Missing(string missingMessage, string what)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return new InvalidOperationException($"{missingMessage}. Under CI=true the {what} tests must run.");
        }

        Assert.Skip(missingMessage + ".");
        throw new UnreachableException("Assert.Skip returned");
    }
}
