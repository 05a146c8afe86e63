using System.Diagnostics;

namespace Wharf.Runs;

/// <summary>
/// Named points where a test can make the process die on the spot (SIGKILL), to prove a run
/// that dies anywhere leaves the warehouse whole: <c>WHARF_FAILPOINT=load.before-commit</c>, or
/// <c>WHARF_FAILPOINT=chunk.committed:2</c> to die the second time the point is reached.
/// Unset (always, outside tests), every point is a no-op.
/// </summary>
internal static class FailPoint
{
    /// <summary>After a lake part is written, before its chunk is loaded.</summary>
    public const string PartWritten = "extract.part-written";

    /// <summary>Inside the load's transaction, after the rows are written, before COMMIT.</summary>
    public const string BeforeCommit = "load.before-commit";

    /// <summary>After a chunk of a cursor stream has committed.</summary>
    public const string ChunkCommitted = "chunk.committed";

    /// <summary>A message stream's batch is committed; its acknowledgement is being sent (NATS: after half of its messages).</summary>
    public const string Acking = "stream.acking";

    private static readonly (string Name, int Count)? Armed = Parse(Environment.GetEnvironmentVariable("WHARF_FAILPOINT"));
    private static int hits;

    public static void Hit(string name)
    {
        if (Armed is { } armed && armed.Name == name && Interlocked.Increment(ref hits) == armed.Count)
        {
            Process.GetCurrentProcess().Kill();
        }
    }

    private static (string, int)? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var count)
            ? (value[..colon], count)
            : (value, 1);
    }
}
