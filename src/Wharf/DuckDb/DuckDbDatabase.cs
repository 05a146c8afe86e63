using Wharf.DuckDb.Native;

namespace Wharf.DuckDb;

/// <summary>An open DuckDB database (a file, or in memory when the path is <see langword="null"/>).</summary>
public sealed class DuckDbDatabase : IDisposable
{
    private readonly DatabaseHandle handle;

    private DuckDbDatabase(DatabaseHandle handle, string? path)
    {
        this.handle = handle;
        Path = path;
    }

    /// <summary>The database file, or <see langword="null"/> for an in-memory database.</summary>
    public string? Path { get; }

    /// <summary>
    /// Opens (or creates) a database. Extension auto-install and auto-load are always off:
    /// Wharf uses only the extensions built into the library (parquet, json, icu) and never downloads.
    /// </summary>
    /// <param name="path">A file path, or <see langword="null"/> for an in-memory database.</param>
    /// <param name="settings">More DuckDB configuration options (e.g. <c>threads</c>, <c>memory_limit</c>).</param>
    public static DuckDbDatabase Open(string? path, IReadOnlyDictionary<string, string>? settings = null)
    {
        DuckDbNativeLibrary.Load();
        NativeMethods.duckdb_create_config(out var config);
        try
        {
            Set(config, "autoinstall_known_extensions", "false");
            Set(config, "autoload_known_extensions", "false");
            foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            {
                Set(config, name, value);
            }

            if (NativeMethods.duckdb_open_ext(path, out var database, config, out var error) != NativeMethods.Success)
            {
                var message = NativeMethods.TakeUtf8(error);
                throw new DuckDbException($"Could not open DuckDB database '{path ?? ":memory:"}': {message}");
            }

            return new DuckDbDatabase(new DatabaseHandle(database), path);
        }
        finally
        {
            NativeMethods.duckdb_destroy_config(ref config);
        }
    }

    private static void Set(IntPtr config, string name, string value)
    {
        if (NativeMethods.duckdb_set_config(config, name, value) != NativeMethods.Success)
        {
            throw new DuckDbException($"DuckDB rejected the setting {name} = '{value}'.");
        }
    }

    /// <summary>Opens a new connection; each connection runs one statement at a time.</summary>
    public DuckDbConnection Connect()
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        if (NativeMethods.duckdb_connect(handle.DangerousGetHandle(), out var connection) != NativeMethods.Success)
        {
            throw new DuckDbException("Could not open a DuckDB connection.");
        }

        return new DuckDbConnection(new ConnectionHandle(connection));
    }

    /// <summary>The version of the loaded DuckDB library, e.g. <c>v1.5.6</c>.</summary>
    public static string LibraryVersion
    {
        get
        {
            DuckDbNativeLibrary.Load();
            return NativeMethods.ReadUtf8(NativeMethods.duckdb_library_version()) ?? "unknown";
        }
    }

    public void Dispose() => handle.Dispose();
}
