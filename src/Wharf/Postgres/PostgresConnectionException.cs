namespace Wharf.Postgres;

/// <summary>
/// A PostgreSQL database of wharf.yml (a source or the warehouse) could not be reached, or refused
/// the connection. The message says why in plain words (DNS, refused, authentication, missing
/// database, TLS) and never holds the password.
/// </summary>
public sealed class PostgresConnectionException : WharfException
{
    private readonly bool transient;

    internal PostgresConnectionException(string connection, string server, string message, Exception innerException, bool transient)
        : base(message, innerException)
    {
        Connection = connection;
        Server = server;
        this.transient = transient;
    }

    /// <summary>The connection's name in wharf.yml (<c>warehouse</c> for the warehouse).</summary>
    public string Connection { get; }

    /// <summary>Where it points, safe to print: <c>user@host:port/database</c>.</summary>
    public string Server { get; }

    /// <summary>True when the server may answer a later try (refused, timed out, restarting); false for a wrong password or database.</summary>
    public override bool IsTransient => transient;
}
