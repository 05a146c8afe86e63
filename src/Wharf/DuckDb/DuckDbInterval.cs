using System.Runtime.InteropServices;

namespace Wharf.DuckDb;

/// <summary>
/// DuckDB's INTERVAL: months, days and microseconds kept apart, because a month has no fixed
/// length and a <see cref="TimeSpan"/> would lose that.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct DuckDbInterval(int Months, int Days, long Microseconds);

/// <summary>
/// A TIMESTAMP as DuckDB stores it: microseconds since 1970-01-01, ±<see cref="long.MaxValue"/>
/// for infinity. Covers dates .NET's <see cref="DateTime"/> cannot (years before 1 or after 9999).
/// </summary>
public readonly record struct DuckDbTimestamp(long Microseconds);

/// <summary>A DATE as DuckDB stores it: days since 1970-01-01, ±<see cref="int.MaxValue"/> for infinity.</summary>
public readonly record struct DuckDbDate(int Days);
