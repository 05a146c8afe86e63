using Microsoft.Data.Sqlite;
using Npgsql;
using Wharf.Projects;
using Wharf.Sources.Sql.Postgres;

namespace Wharf.Sources;

/// <summary>
/// Runs a SQL script against a database connection, in one transaction (<c>wharf exec</c>): for
/// seeding examples and test databases, or one-off fixes. A SQLite or DuckDB file is created if missing.
/// </summary>
internal static class ScriptExecutor
{
    /// <summary>Runs the script on the DuckDB file (opened for writing: no run may read it meanwhile), in one transaction.</summary>
    private static async Task ExecuteDuckDbAsync(ConnectionSettings connection, string sql, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(connection.Path)!);
        try
        {
            using var database = Wharf.DuckDb.DuckDbConnections.Open(connection.Path);
            await Wharf.DuckDb.DuckDbCommands.ExecuteAsync(database, "BEGIN TRANSACTION", cancellationToken);
            try
            {
                await Wharf.DuckDb.DuckDbCommands.ExecuteAsync(database, sql, cancellationToken);
                await Wharf.DuckDb.DuckDbCommands.ExecuteAsync(database, "COMMIT", cancellationToken);
            }
            catch
            {
                Wharf.DuckDb.DuckDbCommands.Execute(database, "ROLLBACK");
                throw;
            }
        }
        catch (Wharf.DuckDb.DuckDbException ex)
        {
            throw new SourceException(connection.Name, "", $"The script failed on '{connection.Name}' ({connection.Path}) and was rolled back: {ex.Summary}", ex);
        }
    }

    public static async Task ExecuteAsync(ConnectionSettings connection, string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        switch (connection.Type)
        {
            case "postgres":
                await using (var database = await PostgresSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken))
                await using (var transaction = await database.BeginTransactionAsync(cancellationToken))
                {
                    try
                    {
                        await using var command = new NpgsqlCommand(sql, database, transaction);
                        await command.ExecuteNonQueryAsync(cancellationToken);
                        await transaction.CommitAsync(cancellationToken);
                    }
                    catch (PostgresException ex)
                    {
                        throw new SourceException(connection.Name, "", $"The script failed on '{connection.Name}' and was rolled back: {ex.MessageText} (SQLSTATE {ex.SqlState}{(ex.Line is null ? "" : $", line {ex.Line}")}).", ex);
                    }
                }

                break;
            case "mysql":
                await using (var database = await Sql.MySql.MySqlSourceConnection.OpenAsync(connection, cancellationToken: cancellationToken))
                await using (var transaction = await database.BeginTransactionAsync(cancellationToken))
                {
                    // MySQL commits DDL (CREATE, ALTER, DROP) at once: only the data changes roll back.
                    try
                    {
                        await using var command = new MySqlConnector.MySqlCommand(sql, database, transaction);
                        await command.ExecuteNonQueryAsync(cancellationToken);
                        await transaction.CommitAsync(cancellationToken);
                    }
                    catch (MySqlConnector.MySqlException ex)
                    {
                        throw new SourceException(connection.Name, "", $"The script failed on '{connection.Name}' and its data changes were rolled back (MySQL commits DDL at once): {ex.Message} (error {(int)ex.ErrorCode}).", ex);
                    }
                }

                break;
            case "sqlite":
                Directory.CreateDirectory(Path.GetDirectoryName(connection.Path)!);
                await using (var database = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = connection.Path, Mode = SqliteOpenMode.ReadWriteCreate, ForeignKeys = true }.ToString()))
                {
                    await database.OpenAsync(cancellationToken);
                    await using var transaction = (SqliteTransaction)await database.BeginTransactionAsync(cancellationToken);
                    try
                    {
                        await using var command = new SqliteCommand(sql, database, transaction);
                        await command.ExecuteNonQueryAsync(cancellationToken);
                        await transaction.CommitAsync(cancellationToken);
                    }
                    catch (SqliteException ex)
                    {
                        throw new SourceException(connection.Name, "", $"The script failed on '{connection.Name}' ({connection.Path}) and was rolled back: {ex.Message}", ex);
                    }
                }

                break;
            case "duckdb" when connection.Path != Projects.ProjectReader.DuckDbMemory:
                await ExecuteDuckDbAsync(connection, sql, cancellationToken);
                break;
            default:
                throw new SourceException(connection.Name, "", $"Connection '{connection.Name}' is a {connection.Type} connection; exec runs SQL on database files and servers (postgres, mysql, sqlite, duckdb).");
        }
    }
}
