using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Projects;

namespace Wharf.Sources.Sql.DuckDb;

/// <summary>
/// A DuckDB source database, opened read-only: a private in-memory DuckDB with the file attached
/// <c>READ_ONLY</c> (or, for <c>path: ":memory:"</c>, built by <c>init_sql:</c>). One per pipeline
/// run: while it is open, DuckDB's shared lock keeps writers out, so every table and every part is
/// read from the same state of the file.
/// </summary>
internal sealed class DuckDbSourceDatabase : IDisposable
{
    /// <summary>The name the file is attached under.</summary>
    private const string Attached = "src";

    /// <summary>How often to try again while another process holds the file for writing (<c>--wait</c>).</summary>
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);

    private readonly DuckDBConnection connection;

    private DuckDbSourceDatabase(DuckDBConnection connection, string catalog)
    {
        this.connection = connection;
        Catalog = catalog;
    }

    /// <summary>The catalog the source's tables are in: the attached file's, or <c>memory</c>.</summary>
    public string Catalog { get; }

    /// <summary>The DuckDB library's version, e.g. <c>v1.5.6</c>.</summary>
    public string Version => connection.ServerVersion;

    /// <summary>The database's connection for one statement at a time (catalog reads).</summary>
    public DuckDBConnection Connection => connection;

    /// <summary>A connection of its own (each runs one statement at a time), for one extract.</summary>
    public DuckDBConnection Another() => DuckDbConnections.Another(connection);

    /// <summary>A table of the source, qualified for SQL on this database.</summary>
    public string From(string schema, string table) => $"{Quote.Identifier(Catalog)}.{Quote.Qualified(schema, table)}";

    /// <param name="wait">How long to keep trying while another process has the file open for writing.</param>
    /// <exception cref="SourceException">The file is missing, is no DuckDB database, is held for writing (past the wait), or <c>init_sql:</c> failed.</exception>
    public static async Task<DuckDbSourceDatabase> OpenAsync(ConnectionSettings settings, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var inMemory = settings.Path == ProjectReader.DuckDbMemory;
        if (!inMemory && !File.Exists(settings.Path))
        {
            throw new SourceException(settings.Name, "", $"Connection '{settings.Name}': the DuckDB database {settings.Path} does not exist.");
        }

        var connection = DuckDbConnections.Open(null);
        try
        {
            if (!inMemory)
            {
                await AttachAsync(connection, settings, wait, time, cancellationToken);
            }

            if (settings.InitSql is { } init)
            {
                try
                {
                    await connection.ExecuteAsync(init, cancellationToken);
                }
                catch (DuckDbException ex)
                {
                    throw new SourceException(settings.Name, "", $"Connection '{settings.Name}': its 'init_sql:' failed: {ex.Summary}", ex);
                }
            }

            return new DuckDbSourceDatabase(connection, inMemory ? "memory" : Attached);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static async Task AttachAsync(DuckDBConnection connection, ConnectionSettings settings, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        while (true)
        {
            try
            {
                await connection.ExecuteAsync($"ATTACH {Quote.Literal(settings.Path)} AS {Attached} (READ_ONLY); USE {Attached}", cancellationToken);
                return;
            }
            catch (DuckDbException ex) when (IsLocked(ex) && time.GetUtcNow() < deadline)
            {
                await Task.Delay(RetryEvery, time, cancellationToken);
            }
            catch (DuckDbException ex) when (IsLocked(ex))
            {
                throw new SourceException(settings.Name, "",
                    $"Connection '{settings.Name}': the DuckDB database {settings.Path} is open for writing by another process ({ex.Summary}) " +
                    "Wharf reads it read-only, which DuckDB allows only when no process writes to it. Wait for the writer to finish, or close it, " +
                    "and try again (wharf run --wait SECONDS keeps trying).", ex)
                {
                    Transient = true,
                };
            }
            catch (DuckDbException ex)
            {
                throw new SourceException(settings.Name, "", $"Connection '{settings.Name}': {settings.Path} cannot be opened as a DuckDB database: {ex.Summary}", ex);
            }
        }
    }

    private static bool IsLocked(DuckDbException ex) =>
        ex.Message.Contains("lock", StringComparison.OrdinalIgnoreCase) && ex.Message.Contains("conflict", StringComparison.OrdinalIgnoreCase);

    public void Dispose() => connection.Dispose();
}
