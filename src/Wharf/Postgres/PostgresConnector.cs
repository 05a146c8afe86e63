using System.Collections.Concurrent;
using System.Net.Sockets;
using Npgsql;
using Wharf.Projects;

namespace Wharf.Postgres;

/// <summary>
/// Connections to the PostgreSQL databases of wharf.yml, for sources and the warehouse alike: one
/// <see cref="NpgsqlDataSource"/> (and so one pool) per database for the process, and a failure
/// to connect as one plain sentence (DNS, refused, authentication, missing database, TLS)
/// without the password.
/// </summary>
internal static class PostgresConnector
{
    /// <summary>By connection string: connections with the same settings share a pool, as Npgsql's own pooling would give them.</summary>
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> DataSources = new(StringComparer.Ordinal);

    /// <summary>The data source of a <c>postgres</c> connection (created once, kept for the process).</summary>
    /// <exception cref="ProjectFileException">The connection's URL or settings are not usable.</exception>
    public static NpgsqlDataSource DataSource(ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return DataSources.GetOrAdd(PostgresConnectionString.For(settings), NpgsqlDataSource.Create);
    }

    /// <summary>Opens a connection from the connection's data source.</summary>
    /// <exception cref="PostgresConnectionException">The server could not be reached or refused; the message says why and what to check.</exception>
    public static async Task<NpgsqlConnection> OpenAsync(ConnectionSettings settings, CancellationToken cancellationToken = default)
    {
        var dataSource = DataSource(settings);
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException or ArgumentException)
        {
            throw Unreachable(settings, ex);
        }
    }

    /// <summary>Opens a connection without async I/O, for the synchronous <c>Query</c> of the library's API (Npgsql's own synchronous path, not a wait on async code).</summary>
    /// <exception cref="PostgresConnectionException">The server could not be reached or refused.</exception>
    public static NpgsqlConnection Open(ConnectionSettings settings)
    {
        var dataSource = DataSource(settings);
        try
        {
            return dataSource.OpenConnection();
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException or ArgumentException)
        {
            throw Unreachable(settings, ex);
        }
    }

    private static PostgresConnectionException Unreachable(ConnectionSettings settings, Exception ex)
    {
        var server = PostgresConnectionString.Describe(settings);
        return new PostgresConnectionException(settings.Name, server, $"Cannot connect to '{settings.Name}' ({server}): {PostgresErrors.Explain(ex)}", ex, PostgresErrors.IsTransient(ex));
    }
}
