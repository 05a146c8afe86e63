using System.Security.Cryptography;

namespace Wharf.Runs;

/// <summary>
/// Run ids sort by start time and stay unique across machines: <c>20261121T101500123Z-3f9a2c</c> (UTC, to the millisecond).
/// They name lake files, so they hold only characters safe in paths and SQL literals.
/// </summary>
internal static class RunId
{
    public static string New(DateTimeOffset startedAt) =>
        $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>When the run started, read back from its id (to the millisecond).</summary>
    public static DateTimeOffset StartedAt(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return DateTimeOffset.ParseExact(runId[..19], "yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
    }
}
