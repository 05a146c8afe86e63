using System.Runtime.InteropServices;

namespace Wharf.DuckDb.Native;

// The handle family shares one file: each is a few lines that differ only in the destroy call.

internal sealed class DatabaseHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    public static DatabaseHandle Wrap(IntPtr pointer)
    {
        var wrapped = new DatabaseHandle();
        wrapped.SetHandle(pointer);
        return wrapped;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_close(ref handle);
        return true;
    }
}

internal sealed class ConnectionHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    public static ConnectionHandle Wrap(IntPtr pointer)
    {
        var wrapped = new ConnectionHandle();
        wrapped.SetHandle(pointer);
        return wrapped;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_disconnect(ref handle);
        return true;
    }
}

internal sealed class PreparedStatementHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    public static PreparedStatementHandle Wrap(IntPtr pointer)
    {
        var wrapped = new PreparedStatementHandle();
        wrapped.SetHandle(pointer);
        return wrapped;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_destroy_prepare(ref handle);
        return true;
    }
}

internal sealed class AppenderHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    public static AppenderHandle Wrap(IntPtr pointer)
    {
        var wrapped = new AppenderHandle();
        wrapped.SetHandle(pointer);
        return wrapped;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_appender_destroy(ref handle);
        return true;
    }
}

internal sealed class DataChunkHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
{
    public override bool IsInvalid => handle == IntPtr.Zero;

    public static DataChunkHandle Wrap(IntPtr pointer)
    {
        var wrapped = new DataChunkHandle();
        wrapped.SetHandle(pointer);
        return wrapped;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.duckdb_destroy_data_chunk(ref handle);
        return true;
    }
}
