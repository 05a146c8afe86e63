using System.Runtime.InteropServices;

namespace Wharf.DuckDb.Native;

/// <summary>
/// DuckDB's C API (duckdb.h), bound by hand because DuckDB.NET is not available to this project.
/// Split into partial files by area; every handle is an opaque pointer.
/// </summary>
internal static partial class NativeMethods
{
    internal const string Library = "duckdb";

    // The static constructor runs before any generated stub, so the resolver is always in place.
    static NativeMethods() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, static (name, _, _) =>
            name == Library ? DuckDbNativeLibrary.Load() : IntPtr.Zero);

    internal const int Success = 0;

    [LibraryImport(Library)]
    internal static partial IntPtr duckdb_library_version();

    [LibraryImport(Library)]
    internal static partial void duckdb_free(IntPtr pointer);

    internal static string? ReadUtf8(IntPtr pointer) =>
        pointer == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(pointer);
}
