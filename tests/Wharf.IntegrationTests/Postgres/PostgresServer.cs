using System.Collections.Concurrent;
using Npgsql;

namespace Wharf.IntegrationTests.Postgres;

/// <summary>
/// The real PostgreSQL server the integration tests run against: the one scripts/test.sh starts,
/// or any server named by <c>WHARF_TEST_POSTGRES</c>. Without it every test fails; none is skipped.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The environment variable that holds the server's Npgsql connection string.</summary>
    public const string Variable = "WHARF_TEST_POSTGRES";

    public const string MissingMessage =
        "WHARF_TEST_POSTGRES is not set: run the tests through ./scripts/test.sh, which starts PostgreSQL";

    private readonly ConcurrentQueue<string> created = new();
    private NpgsqlConnectionStringBuilder? server;

    /// <summary>The connection string of the server's own test database (<c>wharf_test</c>).</summary>
    public string ConnectionString => Server.ConnectionString;

    private NpgsqlConnectionStringBuilder Server => server ?? throw new InvalidOperationException(MissingMessage);

    public async ValueTask InitializeAsync()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            // Fails in CI and on a developer's machine alike: a skipped database test looks like a pass.
            throw new InvalidOperationException(MissingMessage);
        }

        var builder = new NpgsqlConnectionStringBuilder(value);
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"Cannot connect to the PostgreSQL server in {Variable} (Host={builder.Host};Port={builder.Port};" +
                $"Database={builder.Database}): {e.Message}. Run the tests through ./scripts/test.sh, which starts one.",
                e);
        }

        server = builder;
    }

    /// <summary>Creates a fresh, empty database that is dropped when the test run ends.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(Server.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {Quote(name)}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        created.Enqueue(name);
        var builder = new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = name };
        return new TestDatabase(name, builder.ConnectionString, Url(builder));
    }

    public async ValueTask DisposeAsync()
    {
        if (server is null || created.IsEmpty)
        {
            return;
        }

        // Best effort: a database still in use goes anyway (FORCE), and one that cannot be dropped
        // is left to the throwaway server rather than failing the run.
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            while (created.TryDequeue(out var name))
            {
                try
                {
                    await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Quote(name)} WITH (FORCE)", connection);
                    await command.ExecuteNonQueryAsync();
                }
                catch (PostgresException)
                {
                    // Best effort, see above.
                }
            }
        }
        catch (NpgsqlException)
        {
            // The server is already gone.
        }
    }

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"")}\"";

    /// <summary>The <c>postgres://user:password@host:port/database</c> form of a connection string.</summary>
    internal static string Url(NpgsqlConnectionStringBuilder builder)
    {
        var credentials = Uri.EscapeDataString(builder.Username ?? "");
        if (!string.IsNullOrEmpty(builder.Password))
        {
            credentials += ":" + Uri.EscapeDataString(builder.Password);
        }

        var host = builder.Host ?? "localhost";
        if (host.Contains(':', StringComparison.Ordinal))
        {
            host = $"[{host}]";
        }

        var at = credentials.Length > 0 ? credentials + "@" : "";
        return $"postgres://{at}{host}:{builder.Port}/{Uri.EscapeDataString(builder.Database ?? "")}";
    }
}
