using System.Security.Cryptography;

namespace Wharf.Runs;

/// <summary>
/// Run ids sort by start time and stay unique across machines: <c>20261121T101500123Z-3f9a2c</c> (UTC, to the millisecond).
/// They name lake files, so they hold only characters safe in paths and SQL literals.
/// </summary>
public static class RunId
{
    public static string New(DateTimeOffset startedAt) =>
        $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}
