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

    /// <summary>
    /// The row count that COPY and CREATE TABLE AS return as a one-row <c>Count</c> result
    /// (DuckDB's rows-changed figure covers only INSERT, UPDATE and DELETE).
    /// </summary>
    public long? CountColumn()
    {
        if (ColumnCount != 1 || ColumnName(0) != "Count")
        {
            return null;
        }

        using var chunk = FetchChunk();
        if (chunk.IsInvalid || NativeMethods.duckdb_data_chunk_get_size(chunk.DangerousGetHandle()) == 0)
        {
            return null;
        }

        var vector = NativeMethods.duckdb_data_chunk_get_vector(chunk.DangerousGetHandle(), 0);
        return *(long*)NativeMethods.duckdb_vector_get_data(vector);
    }

    /// <summary>The next chunk, or an invalid handle at the end of the result.</summary>
    public DataChunkHandle FetchChunk() => new DataChunkHandle(NativeMethods.duckdb_fetch_chunk(*result));

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
