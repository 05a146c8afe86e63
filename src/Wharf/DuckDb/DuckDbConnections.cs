using DuckDB.NET.Data;

namespace Wharf.DuckDb;

/// <summary>
/// Opens DuckDB the way Wharf needs it. Extension auto-install and auto-load are always off:
/// Wharf uses only the extensions built into the library (parquet, json, icu) and never downloads one.
/// </summary>
internal static class DuckDbConnections
{
    /// <summary>The version of the DuckDB library that DuckDB.NET loads, e.g. <c>v1.5.6</c>, asked of the library without opening a database (<c>wharf --version</c>).</summary>
    public static string LibraryVersion => DuckDB.NET.Native.NativeMethods.Startup.DuckDBLibraryVersion();

    /// <summary>Another connection to the database <paramref name="connection"/> is on (each connection runs one statement at a time).</summary>
    public static DuckDBConnection Another(DuckDBConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.DataSource == DuckDBConnectionStringBuilder.InMemoryDataSource)
        {
            // A duplicate shares the in-memory database but comes closed.
            var duplicate = connection.Duplicate();
            if (duplicate.State != System.Data.ConnectionState.Open)
            {
                duplicate.Open();
            }

            return duplicate;
        }

        // DuckDB.NET shares one database between the connections of a process that name the same file.
        var another = new DuckDBConnection(connection.ConnectionString);
        another.Open();
        return another;
    }

    /// <summary>
    /// Opens a connection to a database file (created if missing), or to a new private in-memory
    /// database when <paramref name="path"/> is <see langword="null"/>. Within one process, connections
    /// to the same file share one database; <see cref="Another"/> gives a second connection to either kind.
    /// </summary>
    /// <param name="settings">More DuckDB configuration options (e.g. <c>threads</c>, <c>memory_limit</c>, <c>access_mode</c>).</param>
    /// <exception cref="DuckDbException">The file is locked by another process, or is not a DuckDB database.</exception>
    public static DuckDBConnection Open(string? path, IReadOnlyDictionary<string, string>? settings = null)
    {
        var builder = new DuckDBConnectionStringBuilder
        {
            DataSource = path ?? DuckDBConnectionStringBuilder.InMemoryDataSource,
            AutoinstallKnownExtensions = false,
            AutoloadKnownExtensions = false,
        };
        // Every DuckDB is bounded (DuckDbLimits says why); an in-memory one spills to a folder of
        // this process's own (DuckDB would use ".tmp" in the working directory), which DuckDB
        // makes only when it spills and removes when the database closes.
        var spillFolder = path is null ? Path.Combine(Path.GetTempPath(), $"wharf-duckdb-{Environment.ProcessId}") : null;
        foreach (var (name, value) in DuckDbLimits.Default.ToSettings(spillFolder).Concat(settings ?? new Dictionary<string, string>()))
        {
            builder[name] = value;
        }

        var connection = new DuckDBConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch (DuckDBException ex)
        {
            connection.Dispose();
            throw new DuckDbException(ex);
        }
    }
}
