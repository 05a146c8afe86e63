using System.Runtime.InteropServices;

namespace Wharf.DuckDb.Native;

// The handle family shares one file: each differs only in the call that destroys it.

/// <summary>An owned DuckDB object pointer, destroyed exactly once.</summary>
internal abstract class NativeHandle : SafeHandle
{
    protected NativeHandle(IntPtr pointer)
        : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;
}

internal sealed class DatabaseHandle(IntPtr pointer) : NativeHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_close(ref handle);
        return true;
    }
}

internal sealed class ConnectionHandle(IntPtr pointer) : NativeHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_disconnect(ref handle);
        return true;
    }
}

internal sealed class PreparedStatementHandle(IntPtr pointer) : NativeHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_destroy_prepare(ref handle);
        return true;
    }
}

internal sealed class AppenderHandle(IntPtr pointer) : NativeHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_appender_destroy(ref handle);
        return true;
    }
}

internal sealed class DataChunkHandle(IntPtr pointer) : NativeHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_destroy_data_chunk(ref handle);
        return true;
    }
}
