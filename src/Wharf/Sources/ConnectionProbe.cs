using Wharf.Projects;
using Wharf.Sources.Sql;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Sources;

/// <summary>
/// What <c>wharf test-connection</c> and <c>wharf discover</c> ask of a connection: can it be
/// reached, and what does it hold. Messages never include secrets.
/// </summary>
internal static class ConnectionProbe
{
    /// <summary>Reaches the connection and returns one line about it, or throws a <see cref="SourceException"/> saying what failed.</summary>
    public static async Task<string> TestAsync(ConnectionSettings connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        switch (connection.Type)
        {
            case "postgres":
                await using (var database = await PostgresSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken))
                {
                    return $"connected to {PostgresConnectionString.Describe(connection)} (PostgreSQL {database.PostgreSqlVersion}).";
                }

            case "mysql":
                await using (var database = await Sql.MySql.MySqlSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken))
                {
                    return $"connected to {MySqlConnectionString.Describe(connection)} ({Sql.MySql.MySqlSourceConnection.Product(database)} {Sql.MySql.MySqlSourceConnection.Version(database)}).";
                }

            case "sqlite":
                await using (var database = await Sql.Sqlite.SqliteSource.OpenAsync(connection, cancellationToken))
                {
                    return $"opened {connection.Path} (SQLite {database.ServerVersion}).";
                }

            case "duckdb":
                using (var database = await Sql.DuckDb.DuckDbSourceDatabase.OpenAsync(connection, TimeSpan.Zero, TimeProvider.System, cancellationToken))
                {
                    var tables = Sql.DuckDb.DuckDbCatalogReader.Read(database, views: false).Count;
                    return $"opened {connection.Path} read-only (DuckDB {database.Version}, {tables} tables).";
                }

            case "http" or "soap":
                return await Http.HttpProbe.TestAsync(connection, cancellationToken);

            case "rabbitmq" or "nats":
                return await Streams.StreamProbe.TestAsync(connection, [], cancellationToken);

            case var _ when connection.HoldsFiles:
                using (var location = Files.Locations.FileLocations.For(connection))
                {
                    try
                    {
                        return await location.ProbeAsync(cancellationToken);
                    }
                    catch (Files.Locations.LocationException ex)
                    {
                        throw new SourceException(connection.Name, "", $"Connection '{connection.Name}': {ex.Message}", ex);
                    }
                }

            default:
                throw new SourceException(connection.Name, "", $"Connection '{connection.Name}' has type '{connection.Type}', which cannot be tested.");
        }
    }

    /// <summary>Reaches the project's warehouse (<c>wharf test-connection --warehouse</c>) without changing it; one line about it, or an error saying what failed.</summary>
    /// <exception cref="WharfException">The warehouse cannot be reached or opened; the message says why, never the password.</exception>
    public static async Task<string> TestWarehouseAsync(WarehouseSettings warehouse, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        if (warehouse.Kind == WarehouseKind.Postgres)
        {
            var settings = warehouse.Connection!;
            try
            {
                await using var database = await Wharf.Postgres.PostgresConnector.OpenAsync(settings, cancellationToken);
                return $"connected to the warehouse {PostgresConnectionString.Describe(settings)} (PostgreSQL {database.PostgreSqlVersion}).";
            }
            catch (Wharf.Postgres.PostgresConnectionException ex)
            {
                throw new WharfException($"The warehouse cannot be reached: {ex.Message}", ex);
            }
        }

        if (!File.Exists(warehouse.Location))
        {
            return $"there is no warehouse at {warehouse.Location} yet; 'wharf run' creates it there (the folder {(Directory.Exists(Path.GetDirectoryName(warehouse.Location)) ? "exists" : "is created too")}).";
        }

        try
        {
            using var database = Wharf.DuckDb.DuckDbConnections.Open(warehouse.Location, new Dictionary<string, string> { ["access_mode"] = "READ_ONLY" });
            return $"opened the warehouse {warehouse.Location} read-only (DuckDB {database.ServerVersion}).";
        }
        catch (Wharf.DuckDb.DuckDbException ex)
        {
            throw new WharfException($"The warehouse {warehouse.Location} cannot be opened: {ex.Summary}", ex);
        }
    }

    /// <summary>The files of a files connection (a folder, a bucket) that the globs match, with sizes and modification times.</summary>
    public static async Task<IReadOnlyList<Files.Locations.LocationEntry>> DiscoverFilesAsync(ConnectionSettings connection, IReadOnlyList<string> globs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var location = Files.Locations.FileLocations.For(connection);
        try
        {
            return await location.MatchAsync(globs, (glob, problem) => new SourceException(connection.Name, "", $"Connection '{connection.Name}': {problem}"), cancellationToken);
        }
        catch (Files.Locations.LocationException ex)
        {
            throw new SourceException(connection.Name, "", $"Connection '{connection.Name}': {ex.Message}", ex);
        }
    }

    /// <summary>The tables of a database connection, with columns, keys and row estimates.</summary>
    public static async Task<IReadOnlyList<CatalogTable>> DiscoverAsync(ConnectionSettings connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        switch (connection.Type)
        {
            case "postgres":
                await using (var database = await PostgresSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken))
                {
                    return await PostgresCatalogReader.ReadAsync(database, cancellationToken);
                }

            case "mysql":
                await using (var database = await Sql.MySql.MySqlSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken))
                {
                    return await Sql.MySql.MySqlCatalogReader.ReadAsync(database, cancellationToken);
                }

            case "sqlite":
                await using (var database = await Sql.Sqlite.SqliteSource.OpenAsync(connection, cancellationToken))
                {
                    return await Sql.Sqlite.SqliteCatalogReader.ReadAsync(database, cancellationToken);
                }

            case "duckdb":
                using (var database = await Sql.DuckDb.DuckDbSourceDatabase.OpenAsync(connection, TimeSpan.Zero, TimeProvider.System, cancellationToken))
                {
                    return Sql.DuckDb.DuckDbCatalogReader.Read(database, views: true);
                }

            default:
                throw new SourceException(connection.Name, "", $"Connection '{connection.Name}' is a {connection.Type} connection; discover reads databases (postgres, mysql, sqlite, duckdb) and lists files (files, s3).");
        }
    }
}
