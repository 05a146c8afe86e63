using System.Reflection;
using System.Runtime.InteropServices;

namespace Wharf.DuckDb;

/// <summary>
/// Finds DuckDB's native library: <c>WHARF_DUCKDB_LIB</c>, then the per-user cache that
/// <c>scripts/fetch-duckdb.sh</c> fills from the npm package <c>@duckdb/node-bindings-&lt;os&gt;-&lt;arch&gt;</c>.
/// </summary>
public static class DuckDbNativeLibrary
{
    private static readonly Lock Gate = new();
    private static IntPtr handle;

    /// <summary>The npm package version Wharf is built and tested against.</summary>
    public static string PinnedVersion { get; } =
        typeof(DuckDbNativeLibrary).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "DuckDbNpmVersion")?.Value ?? "unknown";

    /// <summary>The per-user cache folder for the pinned version.</summary>
    public static string CacheDirectory
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("WHARF_CACHE_DIR");
            if (string.IsNullOrEmpty(root))
            {
                var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
                var baseDir = string.IsNullOrEmpty(xdg)
                    ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                    : xdg;
                root = Path.Combine(baseDir, "wharf");
            }

            return Path.Combine(root, "duckdb", PinnedVersion);
        }
    }

    private static string FileName =>
        OperatingSystem.IsWindows() ? "duckdb.dll" : OperatingSystem.IsMacOS() ? "libduckdb.dylib" : "libduckdb.so";

    /// <summary>Where the library would be loaded from, or <see langword="null"/> when none is found.</summary>
    public static string? FindPath()
    {
        var explicitPath = Environment.GetEnvironmentVariable("WHARF_DUCKDB_LIB");
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return explicitPath;
        }

        var cached = Path.Combine(CacheDirectory, FileName);
        return File.Exists(cached) ? cached : null;
    }

    /// <summary>Loads the library once; later calls return the same handle.</summary>
    /// <exception cref="DuckDbLibraryNotFoundException">No library was found, or it failed to load.</exception>
    public static IntPtr Load()
    {
        lock (Gate)
        {
            if (handle != IntPtr.Zero)
            {
                return handle;
            }

            var path = FindPath() ?? throw new DuckDbLibraryNotFoundException(
                $"DuckDB's native library ({FileName}, npm package @duckdb/node-bindings {PinnedVersion}) was not found in {CacheDirectory}. " +
                "Run ./scripts/fetch-duckdb.sh from the Wharf repository to download it (needs npm), " +
                "or set WHARF_DUCKDB_LIB to the full path of an existing libduckdb.");
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                throw new DuckDbLibraryNotFoundException(
                    $"DuckDB's native library at '{path}' could not be loaded: {ex.Message} " +
                    "Delete it and run ./scripts/fetch-duckdb.sh again, or point WHARF_DUCKDB_LIB at a working copy.", ex);
            }

            return handle;
        }
    }
}
