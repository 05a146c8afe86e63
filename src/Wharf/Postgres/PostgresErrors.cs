using System.Net.Sockets;
using Npgsql;

namespace Wharf.Postgres;

/// <summary>What a PostgreSQL error means to Wharf: whether trying again can help, and one sentence a person can act on.</summary>
internal static class PostgresErrors
{
    /// <summary>
    /// Whether the same work may succeed if tried again: a dropped or refused connection, a server
    /// restart, a serialization failure, a deadlock. Authentication, syntax and constraint errors are not.
    /// </summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected,
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException or TimeoutException => true,
        WharfException wharf => wharf.IsTransient,
        _ => false,
    };

    /// <summary>One sentence for a connection failure: what went wrong and what to check.</summary>
    public static string Explain(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var socket = ex as SocketException ?? ex.InnerException as SocketException;
        if (ex is PostgresException pg)
        {
            return pg.SqlState switch
            {
                PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                    $"authentication failed ({pg.MessageText}). Check the user and the password (from ${{VAR}} or .env).",
                PostgresErrorCodes.InvalidCatalogName => $"the database does not exist ({pg.MessageText}). Check the database name.",
                PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown => $"the server is starting up or shutting down ({pg.MessageText}). Try again shortly.",
                PostgresErrorCodes.TooManyConnections => $"the server has no free connections ({pg.MessageText}).",
                _ => $"the server refused: {pg.MessageText} (SQLSTATE {pg.SqlState}).",
            };
        }

        return socket?.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "the host name could not be resolved (DNS). Check the host.",
            SocketError.ConnectionRefused => "the connection was refused: nothing listens on that host and port. Check the host, the port and that the server runs.",
            SocketError.TimedOut => "the connection timed out. Check the host, the port and any firewall.",
            _ when ex.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase) || ex.InnerException is System.Security.Authentication.AuthenticationException =>
                $"TLS failed ({ex.InnerException?.Message ?? ex.Message}). Check sslmode and the server's certificate.",
            _ => ex.InnerException?.Message ?? ex.Message,
        };
    }
}
