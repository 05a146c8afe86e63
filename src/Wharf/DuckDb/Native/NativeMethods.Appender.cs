using System.Runtime.InteropServices;

namespace Wharf.DuckDb.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int duckdb_appender_create_ext(IntPtr connection, string? catalog, string? schema, string table, out IntPtr appender);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_appender_error(IntPtr appender);

    [LibraryImport(Library)]
    internal static partial ulong duckdb_appender_column_count(IntPtr appender);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_appender_column_type(IntPtr appender, ulong column);

    [LibraryImport(Library)]
    internal static partial int duckdb_append_data_chunk(IntPtr appender, IntPtr chunk);

    [LibraryImport(Library)]
    internal static partial int duckdb_appender_flush(IntPtr appender);

    [LibraryImport(Library)]
    internal static partial int duckdb_appender_close(IntPtr appender);

    [LibraryImport(Library)]
    internal static partial int duckdb_appender_destroy(ref IntPtr appender);
}
