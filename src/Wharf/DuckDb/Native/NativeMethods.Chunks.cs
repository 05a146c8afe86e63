using System.Runtime.InteropServices;

namespace Wharf.DuckDb.Native;

internal static partial class NativeMethods
{
    [LibraryImport(Library)]
    internal static partial ulong duckdb_vector_size();

    [LibraryImport(Library)]
    internal static partial ulong duckdb_data_chunk_get_size(IntPtr chunk);

    [LibraryImport(Library)]
    internal static partial void duckdb_data_chunk_set_size(IntPtr chunk, ulong size);

    [LibraryImport(Library)]
    internal static partial void duckdb_data_chunk_reset(IntPtr chunk);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_data_chunk_get_vector(IntPtr chunk, ulong column);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_create_data_chunk(IntPtr[] types, ulong columnCount);

    [LibraryImport(Library)]
    internal static partial void duckdb_destroy_data_chunk(ref IntPtr chunk);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_vector_get_data(IntPtr vector);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_vector_get_validity(IntPtr vector);

    [LibraryImport(Library)]
    internal static partial void duckdb_vector_ensure_validity_writable(IntPtr vector);

    [LibraryImport(Library)]
    internal static unsafe partial void duckdb_vector_assign_string_element_len(IntPtr vector, ulong index, byte* text, ulong length);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_list_vector_get_child(IntPtr vector);

    [LibraryImport(Library)]
    internal static partial ulong duckdb_list_vector_get_size(IntPtr vector);

    [LibraryImport(Library)]
    internal static partial int duckdb_list_vector_set_size(IntPtr vector, ulong size);

    [LibraryImport(Library)]
    internal static partial int duckdb_list_vector_reserve(IntPtr vector, ulong capacity);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_struct_vector_get_child(IntPtr vector, ulong index);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_array_vector_get_child(IntPtr vector);

    // Logical types.
    [LibraryImport(Library)]
    internal static partial DuckDbType duckdb_get_type_id(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_create_logical_type(DuckDbType type);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_create_decimal_type(byte width, byte scale);

    [LibraryImport(Library)]
    internal static partial void duckdb_destroy_logical_type(ref IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial byte duckdb_decimal_width(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial byte duckdb_decimal_scale(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial DuckDbType duckdb_decimal_internal_type(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial DuckDbType duckdb_enum_internal_type(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial uint duckdb_enum_dictionary_size(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_enum_dictionary_value(IntPtr logicalType, ulong index);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_list_type_child_type(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_array_type_child_type(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial ulong duckdb_array_type_array_size(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial ulong duckdb_struct_type_child_count(IntPtr logicalType);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_struct_type_child_name(IntPtr logicalType, ulong index);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_struct_type_child_type(IntPtr logicalType, ulong index);

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_logical_type_get_alias(IntPtr logicalType);

    /// <summary>Reads a string owned by DuckDB that the caller must free, then frees it.</summary>
    internal static string TakeUtf8(IntPtr pointer)
    {
        var text = ReadUtf8(pointer) ?? "";
        duckdb_free(pointer);
        return text;
    }
}
