using System.Runtime.InteropServices;
using Wharf.DuckDb.Native;

namespace Wharf.DuckDb;

/// <summary>Owns one native duckdb_result (kept in unmanaged memory so its address never moves).</summary>
internal sealed unsafe class DuckDbResult : IDisposable
{
    private DuckDbResultStruct* result = (DuckDbResultStruct*)NativeMemory.AllocZeroed((nuint)sizeof(DuckDbResultStruct));

    public DuckDbResultStruct* Pointer => result;

    public string? Error => NativeMethods.ReadUtf8(NativeMethods.duckdb_result_error(result));

    public int ColumnCount => (int)NativeMethods.duckdb_column_count(result);

    public long RowsChanged => (long)NativeMethods.duckdb_rows_changed(result);

    public string ColumnName(int column) => NativeMethods.ReadUtf8(NativeMethods.duckdb_column_name(result, (ulong)column)) ?? "";

    public DuckDbColumnType ColumnType(int column) =>
        DuckDbColumnType.FromOwnedHandle(NativeMethods.duckdb_column_logical_type(result, (ulong)column));

    /// <summary>The next chunk, or an invalid handle at the end of the result.</summary>
    public DataChunkHandle FetchChunk() => DataChunkHandle.Wrap(NativeMethods.duckdb_fetch_chunk(*result));

    public void Dispose()
    {
        if (result != null)
        {
            NativeMethods.duckdb_destroy_result(result);
            NativeMemory.Free(result);
            result = null;
        }
    }
}
