namespace Wharf.Runs;

/// <summary>
/// Run ids sort by start time and stay unique across machines: <c>20261121T101500123Z-3f9a2c</c> (UTC, to the millisecond).
/// They name lake files, so they hold only characters safe in paths and SQL literals.
/// </summary>
internal static class RunId
{
    /// <summary>
    /// The random part needs no secrecy, only to differ between runs that start in the same
    /// millisecond: <see cref="Random.Shared"/> (seeded by the system per process) rather than a
    /// cryptographic generator, whose first use loads OpenSSL (some 10 ms of every run's start).
    /// </summary>
    public static string New(DateTimeOffset startedAt) =>
        $"{startedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Random.Shared.Next(1 << 24):x6}";

    /// <summary>When the run started, read back from its id (to the millisecond).</summary>
    public static DateTimeOffset StartedAt(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return DateTimeOffset.ParseExact(runId[..19], "yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
    }
}
