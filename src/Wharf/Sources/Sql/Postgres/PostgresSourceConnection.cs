using Npgsql;
using Wharf.Postgres;
using Wharf.Projects;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>Connections to a PostgreSQL source: a failure to connect is the source's, naming its connection and stream.</summary>
internal static class PostgresSourceConnection
{
    /// <exception cref="SourceException">The server could not be reached or refused; transient when a retry may help.</exception>
    public static async Task<NpgsqlConnection> OpenAsync(ConnectionSettings settings, string stream = "", CancellationToken cancellationToken = default)
    {
        try
        {
            return await PostgresConnector.OpenAsync(settings, cancellationToken);
        }
        catch (PostgresConnectionException ex)
        {
            throw new SourceException(settings.Name, stream, ex.Message, ex);
        }
    }
}
