using System.Collections.Concurrent;
using MySqlConnector;
using Wharf.Projects;

namespace Wharf.IntegrationTests.MySql;

/// <summary>
/// The real MariaDB (or MySQL) server the MySQL source tests run against: the one scripts/test.sh
/// starts, or any server named by <c>WHARF_TEST_MYSQL_URL</c>. Without it the tests fail under
/// <c>CI=true</c> (a skipped database test looks like a pass there) and are skipped elsewhere,
/// saying how to get one.
/// </summary>
public sealed class MySqlServer : IAsyncLifetime
{
    /// <summary>The environment variable that holds the server's <c>mysql://</c> URL.</summary>
    public const string Variable = "WHARF_TEST_MYSQL_URL";

    public const string MissingMessage =
        "WHARF_TEST_MYSQL_URL is not set: run the tests through ./scripts/test.sh, which starts MariaDB " +
        "(or start one with `eval \"$(scripts/mariadb.sh start)\"`)";

    private readonly ConcurrentQueue<string> created = new();
    private MySqlConnectionStringBuilder? server;

    public async ValueTask InitializeAsync()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return; // Require() says so, test by test.
        }

        var builder = new MySqlConnectionStringBuilder(MySqlConnectionString.For(new ConnectionSettings("test", "mysql") { Url = value }));
        try
        {
            await using var connection = new MySqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
        }
        catch (MySqlException e)
        {
            throw new InvalidOperationException(
                $"Cannot connect to the MySQL server in {Variable} ({builder.Server}:{builder.Port}/{builder.Database}): {e.Message}. " +
                "Run the tests through ./scripts/test.sh, which starts one.", e);
        }

        server = builder;
    }

    /// <summary>The server, or the test stops: failed under CI=true, skipped elsewhere.</summary>
    private MySqlConnectionStringBuilder Require()
    {
        if (server is not null)
        {
            return server;
        }

        throw TestServers.Missing(MissingMessage, "MySQL");
    }

    /// <summary>Creates a fresh, empty database (utf8mb4) that is dropped when the test run ends.</summary>
    public async Task<MySqlTestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var builder = Require();
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new MySqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        created.Enqueue(name);
        var database = new MySqlConnectionStringBuilder(builder.ConnectionString) { Database = name, AllowUserVariables = true };
        var url = $"mysql://{Uri.EscapeDataString(builder.UserID)}:{Uri.EscapeDataString(builder.Password)}@{builder.Server}:{builder.Port}/{name}";
        return new MySqlTestDatabase(name, database.ConnectionString, url);
    }

    public async ValueTask DisposeAsync()
    {
        if (server is null || created.IsEmpty)
        {
            return;
        }

        MySqlConnection.ClearAllPools();
        try
        {
            await using var connection = new MySqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            while (created.TryDequeue(out var name))
            {
                await using var command = new MySqlCommand($"DROP DATABASE IF EXISTS `{name}`", connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        catch (MySqlException)
        {
            // Best effort: the throwaway server goes with its folder anyway.
        }
    }
}

/// <summary>A database made for one test by <see cref="MySqlServer.CreateDatabaseAsync"/>.</summary>
/// <param name="Url">The <c>mysql://</c> URL of wharf.yml, with the password.</param>
public sealed record MySqlTestDatabase(string Name, string ConnectionString, string Url)
{
    /// <summary>Runs SQL (several statements at once) on the database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public override string ToString() => Name;
}
