using System.Runtime.InteropServices;

namespace Wharf.DuckDb.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial int duckdb_create_config(out IntPtr config);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int duckdb_set_config(IntPtr config, string name, string option);

    [LibraryImport(Library)]
    internal static partial void duckdb_destroy_config(ref IntPtr config);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int duckdb_open_ext(string? path, out IntPtr database, IntPtr config, out IntPtr error);

    [LibraryImport(Library)]
    internal static partial void duckdb_close(ref IntPtr database);

    [LibraryImport(Library)]
    internal static partial int duckdb_connect(IntPtr database, out IntPtr connection);

    [LibraryImport(Library)]
    internal static partial void duckdb_disconnect(ref IntPtr connection);

    [LibraryImport(Library)]
    internal static partial void duckdb_interrupt(IntPtr connection);

    [LibraryImport(Library)]
    internal static partial QueryProgress duckdb_query_progress(IntPtr connection);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int duckdb_query(IntPtr connection, string query, DuckDbResultStruct* result);

    [LibraryImport(Library)]
    internal static unsafe partial void duckdb_destroy_result(DuckDbResultStruct* result);

    [LibraryImport(Library)]
    internal static unsafe partial IntPtr duckdb_result_error(DuckDbResultStruct* result);

    [LibraryImport(Library)]
    internal static unsafe partial ulong duckdb_column_count(DuckDbResultStruct* result);

    [LibraryImport(Library)]
    internal static unsafe partial IntPtr duckdb_column_name(DuckDbResultStruct* result, ulong column);

    [LibraryImport(Library)]
    internal static unsafe partial IntPtr duckdb_column_logical_type(DuckDbResultStruct* result, ulong column);

    [LibraryImport(Library)]
    internal static unsafe partial ulong duckdb_rows_changed(DuckDbResultStruct* result);

    /// <summary>Takes the result by value, as duckdb.h declares it.</summary>
    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_fetch_chunk(DuckDbResultStruct result);
}

/// <summary>duckdb_result: six pointer-sized fields, all but the last deprecated.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DuckDbResultStruct
{
    public ulong ColumnCount;
    public ulong RowCount;
    public ulong RowsChanged;
    public IntPtr Columns;
    public IntPtr ErrorMessage;
    public IntPtr InternalData;
}

/// <summary>duckdb_query_progress_type.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct QueryProgress
{
    public double Percentage;
    public ulong RowsProcessed;
    public ulong TotalRowsToProcess;
}
