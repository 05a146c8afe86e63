using DuckDB.NET.Native;

namespace Wharf.DuckDb;

/// <summary>
/// One column of a data chunk, read in place: fixed-width values from the data array, strings
/// and blobs as the UTF-8 bytes DuckDB holds, lists as ranges of a child vector. The layouts are
/// DuckDB's C API (duckdb.h): <c>duckdb_string_t</c>, <c>duckdb_list_entry</c>, the validity mask.
/// </summary>
internal readonly unsafe struct DuckDbVector
{
    private readonly IntPtr vector;
    private readonly byte* data;
    private readonly ulong* validity;

    public DuckDbVector(IntPtr vector)
    {
        this.vector = vector;
        data = (byte*)NativeMethods.Vectors.DuckDBVectorGetData(vector);
        validity = NativeMethods.Vectors.DuckDBVectorGetValidity(vector);
    }

    /// <summary>No validity mask means no NULL in the chunk.</summary>
    public bool IsNull(int row) => validity != null && (validity[row >> 6] & (1UL << (row & 63))) == 0;

    /// <summary>A fixed-width value: <typeparamref name="T"/> must be the column's physical type (e.g. long for BIGINT).</summary>
    public T Get<T>(int row) where T : unmanaged => ((T*)data)[row];

    /// <summary>A VARCHAR's or BLOB's bytes: up to 12 are inlined in the 16-byte <c>duckdb_string_t</c>, longer ones are pointed to.</summary>
    public ReadOnlySpan<byte> Bytes(int row)
    {
        var value = data + (16 * row);
        var length = *(int*)value;
        return length <= 12 ? new ReadOnlySpan<byte>(value + 4, length) : new ReadOnlySpan<byte>(*(byte**)(value + 8), length);
    }

    /// <summary>Where a LIST row's elements are in <see cref="ListChild"/>.</summary>
    public (int Offset, int Length) ListEntry(int row)
    {
        var entry = (ulong*)data + (2 * row);
        return ((int)entry[0], (int)entry[1]);
    }

    /// <summary>The elements of every row of a LIST vector.</summary>
    public DuckDbVector ListChild => new(NativeMethods.Vectors.DuckDBListVectorGetChild(vector));
}
