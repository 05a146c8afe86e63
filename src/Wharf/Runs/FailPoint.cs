using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Wharf.Runs;

/// <summary>
/// Named points where a test can make the process die on the spot (SIGKILL), to prove a run
/// that dies anywhere leaves the warehouse whole: <c>WHARF_FAILPOINT=load.before-commit</c>, or
/// <c>WHARF_FAILPOINT=chunk.committed:2</c> to die the second time the point is reached. With a
/// signal after the count (<c>load.before-commit:2:SIGTERM</c>, or <c>SIGINT</c>, what Ctrl+C
/// sends) the process sends itself that signal there instead and carries on, as it would when a
/// user's signal arrives at that moment: the run must then stop cleanly.
/// Unset (always, outside tests), every point is a no-op.
/// </summary>
internal static partial class FailPoint
{
    /// <summary>After a lake part is written, before its chunk is loaded.</summary>
    public const string PartWritten = "extract.part-written";

    /// <summary>A part of a replace is in its new table, built while the source is read (see <c>ReplaceAhead</c>); nothing is committed.</summary>
    public const string PartLoaded = "replace.part-loaded";

    /// <summary>Inside the load's transaction, after the rows are written, before COMMIT.</summary>
    public const string BeforeCommit = "load.before-commit";

    /// <summary>After a chunk of a cursor stream has committed.</summary>
    public const string ChunkCommitted = "chunk.committed";

    /// <summary>A message stream's batch is committed; its acknowledgement is being sent (NATS: after half of its messages).</summary>
    public const string Acking = "stream.acking";

    private static readonly Armed? Point = Parse(Environment.GetEnvironmentVariable("WHARF_FAILPOINT"));
    private static int hits;

    public static void Hit(string name)
    {
        if (Point is not { } point || point.Name != name || Interlocked.Increment(ref hits) != point.Count)
        {
            return;
        }

        if (point.Signal is { } signal && !OperatingSystem.IsWindows())
        {
            _ = NativeMethods.Kill(Environment.ProcessId, signal);
            return;
        }

        Process.GetCurrentProcess().Kill();
    }

    private static Armed? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var parts = value.Split(':');
        var count = parts.Length > 1 && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 1;
        int? signal = parts.Length > 2 ? parts[2] switch
        {
            "SIGINT" => 2,
            "SIGTERM" => 15,
            var other => throw new InvalidOperationException($"WHARF_FAILPOINT: '{other}' is not a signal a fail point sends (SIGINT, SIGTERM)."),
        } : null;
        return new Armed(parts[0], count, signal);
    }

    private sealed record Armed(string Name, int Count, int? Signal);

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static partial int Kill(int pid, int signal);
    }
}
