using System.Runtime.InteropServices;

namespace Wharf.DuckDb.Native;

/// <summary>
/// duckdb_hugeint / duckdb_uhugeint as passed by value: two 64-bit halves, 8-byte aligned.
/// (.NET's <see cref="Int128"/> is 16-byte aligned, so it cannot cross the boundary by value.)
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct HugeInt(ulong lower, ulong upper)
{
    public readonly ulong Lower = lower;
    public readonly ulong Upper = upper;

    public static HugeInt From(Int128 value) => new((ulong)value, (ulong)(value >> 64));

    public static HugeInt From(UInt128 value) => new((ulong)value, (ulong)(value >> 64));
}
