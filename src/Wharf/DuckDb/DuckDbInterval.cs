using System.Runtime.InteropServices;

namespace Wharf.DuckDb;

/// <summary>
/// DuckDB's INTERVAL: months, days and microseconds kept apart, because a month has no fixed
/// length and a <see cref="TimeSpan"/> would lose that.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct DuckDbInterval(int Months, int Days, long Microseconds);
