using System.Net;
using System.Net.Sockets;
using MySqlConnector;
using Wharf.Projects;

namespace Wharf.Sources.Sql.MySql;

/// <summary>
/// Connections to a MySQL or MariaDB source, each with the session Wharf reads in: time zone UTC
/// (TIMESTAMP values arrive as UTC), and long network timeouts (the server waits while a part is
/// written to the lake). A failure to connect is one plain sentence (DNS, refused, authentication,
/// unknown database, TLS), without the password.
/// </summary>
internal static class MySqlSourceConnection
{
    private const string SessionSql = "SET time_zone = '+00:00', net_write_timeout = 86400, net_read_timeout = 86400";

    /// <exception cref="SourceException">The server could not be reached or refused; transient when a retry may help.</exception>
    public static async Task<MySqlConnection> OpenAsync(ConnectionSettings settings, string stream = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var connection = new MySqlConnection(MySqlConnectionString.For(settings));
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand(SessionSql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is MySqlException or SocketException or TimeoutException or IOException)
        {
            await connection.DisposeAsync();
            var server = MySqlConnectionString.Describe(settings);
            var why = await ExplainAsync(ex, new MySqlConnectionStringBuilder(MySqlConnectionString.For(settings)));
            throw new SourceException(settings.Name, stream, $"Cannot connect to '{settings.Name}' ({server}): {why}", ex)
            {
                Transient = IsTransient(ex),
            };
        }
    }

    /// <summary>MariaDB or MySQL, by the server's version string (MariaDB's says so).</summary>
    public static string Product(MySqlConnection connection) =>
        connection.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase) ? "MariaDB" : "MySQL";

    /// <summary>The server's version, without the <c>5.5.5-</c> that MariaDB puts first for old clients.</summary>
    public static string Version(MySqlConnection connection) =>
        connection.ServerVersion.StartsWith("5.5.5-", StringComparison.Ordinal) ? connection.ServerVersion[6..] : connection.ServerVersion;

    /// <summary>Whether trying again may help: a refused or dropped connection, a deadlock or lock timeout; not a wrong password.</summary>
    public static bool IsTransient(Exception ex) => ConnectionLost(ex) || ex switch
    {
        MySqlException my => my.IsTransient || my.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>
    /// Whether the server ended the connection: it shut down (1053), killed the session (1927,
    /// MariaDB's <c>KILL CONNECTION</c>), or the stream simply ended (MySqlConnector's "incomplete
    /// response", an <see cref="IOException"/>).
    /// </summary>
    public static bool ConnectionLost(Exception ex) => ex switch
    {
        MySqlException my => (int)my.ErrorCode is 1053 or 1927 || my.InnerException is IOException or SocketException,
        SocketException or IOException => true,
        _ => false,
    };

    /// <summary>
    /// One sentence for a connection failure. MySqlConnector says only "Unable to connect" for a
    /// host that does not resolve and for a port nobody listens on, so those are told apart here
    /// after the fact, by resolving the host and trying the port.
    /// </summary>
    private static async Task<string> ExplainAsync(Exception ex, MySqlConnectionStringBuilder builder)
    {
        if (ex is MySqlException my)
        {
            switch (my.ErrorCode)
            {
                case MySqlErrorCode.AccessDenied or MySqlErrorCode.DatabaseAccessDenied or MySqlErrorCode.PasswordNoMatch:
                    return $"authentication failed ({my.Message}). Check the user and the password (from ${{VAR}} or .env).";
                case MySqlErrorCode.UnknownDatabase:
                    return $"the database does not exist ({my.Message}). Check the database name.";
                case MySqlErrorCode.ConnectionCountError or MySqlErrorCode.TooManyUserConnections:
                    return $"the server has no free connections ({my.Message}).";
                case MySqlErrorCode.UnableToConnectToHost when my.Message.Contains("SSL", StringComparison.OrdinalIgnoreCase) || my.InnerException is System.Security.Authentication.AuthenticationException:
                    return $"TLS failed ({my.InnerException?.Message ?? my.Message}). Check ssl_mode and the server's certificate.";
                case MySqlErrorCode.UnableToConnectToHost:
                    return await ProbeAsync(builder.Server, (int)builder.Port) ?? my.Message;
                default:
                    return $"the server refused: {my.Message} (error {(int)my.ErrorCode}).";
            }
        }

        return ex.Message;
    }

    private static async Task<string?> ProbeAsync(string host, int port)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host);
        }
        catch (SocketException)
        {
            return "the host name could not be resolved (DNS). Check the host.";
        }

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(addresses, port, timeout.Token);
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return "the connection was refused: nothing listens on that host and port. Check the host, the port and that the server runs.";
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return "the connection timed out. Check the host, the port and any firewall.";
        }
    }
}
