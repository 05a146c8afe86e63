using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Npgsql;
using Wharf.IntegrationTests.Incremental;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Sources;

/// <summary>
/// <c>wharf run --source postgres://user:password@…</c> through the real CLI, as a role of its own
/// with a password: loads into DuckDB (merge, cursor) and into a PostgreSQL warehouse, and the
/// password appears in no output, log, error, audit row, state or file.
/// </summary>
public sealed class OneLinePostgresTests(PostgresServer postgres) : IAsyncLifetime
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wharf-oneline-");
    private readonly string role = $"etl_{Guid.NewGuid():N}"[..20];
    private readonly string secret = $"Pw{Guid.NewGuid():N}";
    private readonly List<TestDatabase> databases = [];
    private readonly List<WharfChild.Result> outputs = [];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await ExecuteAsync(postgres.ConnectionString, $"CREATE ROLE {role} LOGIN PASSWORD '{secret}'");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var database in databases)
        {
            await ExecuteAsync(database.ConnectionString, $"DROP OWNED BY {role}");
        }

        await ExecuteAsync(postgres.ConnectionString, $"DROP ROLE IF EXISTS {role}");
        folder.Delete(recursive: true);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    /// <summary>A database the role can read (and create schemas in, for a warehouse), with this setup run as its owner.</summary>
    private async Task<TestDatabase> DatabaseAsync(string setupSql)
    {
        var database = await postgres.CreateDatabaseAsync(Cancel);
        databases.Add(database);
        await ExecuteAsync(database.ConnectionString, $"""
            {setupSql};
            GRANT CONNECT, CREATE ON DATABASE "{database.Name}" TO {role};
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
            """);
        return database;
    }

    /// <summary>The role's URL for a database: postgres://role:secret@host:port/database (or with <c>?password=</c>).</summary>
    private string Url(TestDatabase database, bool passwordInQuery = false, int? port = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        return passwordInQuery
            ? $"postgres://{role}@{builder.Host}:{port ?? builder.Port}/{database.Name}?password={secret}"
            : $"postgres://{role}:{secret}@{builder.Host}:{port ?? builder.Port}/{database.Name}";
    }

    /// <summary>Runs <c>wharf ARGS --project FOLDER</c> and keeps what it printed, to search for the secret.</summary>
    private async Task<WharfChild.Result> WharfAsync(params string[] args)
    {
        var result = await WharfChild.RunAsync(folder.FullName, null, Cancel, args);
        outputs.Add(result);
        return result;
    }

    /// <summary>One value of the DuckDB warehouse, through <c>wharf query</c> (its output is searched for the secret too).</summary>
    private async Task<string> ScalarAsync(string sql)
    {
        var result = await WharfAsync("query", sql, "--format", "csv");
        result.ExitCode.ShouldBe(0, result.ToString());
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
    }

    /// <summary>Nothing printed, and no file under the folder (warehouse, lake, manifests, locks), holds the secret.</summary>
    private void ShouldNotLeakTheSecret()
    {
        outputs.ShouldNotBeEmpty();
        foreach (var result in outputs)
        {
            (result.Output + result.Error).ShouldNotContain(secret, customMessage: result.ToString());
        }

        var needle = Encoding.UTF8.GetBytes(secret);
        foreach (var file in Directory.EnumerateFiles(folder.FullName, "*", SearchOption.AllDirectories))
        {
            File.ReadAllBytes(file).AsSpan().IndexOf(needle).ShouldBe(-1, $"{file} holds the password");
        }
    }

    [Fact]
    public async Task Query_WithThePasswordInTheUrl_LoadsIntoDuckDb_MergesWithoutDuplicates_AndNeverShowsThePassword()
    {
        var database = await DatabaseAsync("""
            create table users (id int primary key, name text not null, updated_at timestamptz not null);
            insert into users values (1, 'ana', '2026-01-01 10:00+00'), (2, 'li', '2026-01-02 10:00+00'), (3, 'bo', '2026-01-03 10:00+00')
            """);
        string[] run = ["run", "--source", Url(database), "--query", "select id, name from users", "--table", "users", "--schema", "staging", "--mode", "merge", "--primary-key", "id"];

        var first = await WharfAsync([.. run, "--verbose"]);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Output.ShouldContain("3 rows into staging.users");
        await ExecuteAsync(database.ConnectionString, "update users set name = 'ana maria' where id = 1; insert into users values (4, 'kim', '2026-01-04 10:00+00')");
        var second = await WharfAsync([.. run, "--format", "json"]);
        second.ExitCode.ShouldBe(0, second.ToString());

        (await ScalarAsync("select count(*) from staging.users")).ShouldBe("4");
        (await ScalarAsync("select count(distinct id) from staging.users")).ShouldBe("4");
        (await ScalarAsync("select name from staging.users where id = 1")).ShouldBe("ana maria");
        var stream = JsonDocument.Parse(second.Output).RootElement.GetProperty("streams")[0];
        stream.GetProperty("pipeline").GetString().ShouldBe("staging__users");
        stream.GetProperty("source").GetString().ShouldBe($"postgres://{role}@{new NpgsqlConnectionStringBuilder(database.ConnectionString).Host}:{new NpgsqlConnectionStringBuilder(database.ConnectionString).Port}/{database.Name}: query");
        stream.GetProperty("rows_inserted").GetInt64().ShouldBe(1);
        stream.GetProperty("rows_updated").GetInt64().ShouldBe(1);

        // Every other way the run shows itself: the plan, the audit trail, the audit and state tables, errors.
        (await WharfAsync([.. run, "--dry-run"])).ExitCode.ShouldBe(0);
        (await WharfAsync([.. run, "--dry-run", "--format", "json"])).ExitCode.ShouldBe(0);
        (await WharfAsync("run", "--source", Url(database, passwordInQuery: true), "--tables", "users", "--dry-run")).Output.ShouldContain("public.users");
        (await WharfAsync("runs")).Output.ShouldContain("staging__users");
        (await WharfAsync("runs", "--format", "json")).ExitCode.ShouldBe(0);
        var audit = await WharfAsync("query", "select * from _wharf.runs", "--format", "json");
        audit.ExitCode.ShouldBe(0, audit.ToString());
        JsonDocument.Parse(audit.Output).RootElement.GetArrayLength().ShouldBe(2);
        (await WharfAsync("query", "select * from _wharf.state", "--format", "csv")).ExitCode.ShouldBe(0);
        (await WharfAsync("query", "select * from _wharf.check_results", "--format", "csv")).ExitCode.ShouldBe(0);
        var badQuery = await WharfAsync("run", "--source", Url(database), "--query", "select * from no_such_table", "--table", "users", "--verbose");
        badQuery.ExitCode.ShouldBe(1, badQuery.ToString());
        badQuery.Error.ShouldContain("no_such_table");
        var missingDatabase = await WharfAsync("run", "--source", Url(database).Replace(database.Name, "no_such_database", StringComparison.Ordinal), "--tables", "*");
        missingDatabase.ExitCode.ShouldBe(1, missingDatabase.ToString());
        missingDatabase.Error.ShouldContain("the database does not exist");
        var refused = await WharfAsync("run", "--source", Url(database, port: ClosedPort()), "--tables", "*", "--dry-run", "--format", "json");
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Output.ShouldContain("refused");
        (await WharfAsync("query", "select count(*) from _wharf.runs where status = 'failed'", "--format", "csv")).Output.ShouldBe("count_star()\n2\n");

        ShouldNotLeakTheSecret();
    }

    [Fact]
    public async Task QueryWithCursor_SecondRun_LoadsOnlyTheNewRows()
    {
        var database = await DatabaseAsync("""
            create table events (id int primary key, kind text, at timestamptz not null);
            insert into events select i, 'k' || i, timestamptz '2026-01-01 00:00+00' + i * interval '1 minute' from generate_series(1, 5) i
            """);
        string[] run = ["run", "--source", Url(database), "--query", "select id, kind, at from events", "--table", "events", "--cursor", "at", "--format", "json"];
        var first = await WharfAsync(run);
        first.ExitCode.ShouldBe(0, first.ToString());
        await ExecuteAsync(database.ConnectionString, "insert into events values (6, 'k6', '2026-01-01 00:06+00'), (7, 'k7', '2026-01-01 00:07+00')");

        var plan = await WharfAsync([.. run[..^2], "--dry-run"]);
        plan.Output.ShouldContain("cursor   at, from at=2026-01-01 00:05:00.000000+00 (rows at or past it)", Case.Sensitive, plan.ToString());
        var second = await WharfAsync(run);

        second.ExitCode.ShouldBe(0, second.ToString());
        var stream = JsonDocument.Parse(second.Output).RootElement.GetProperty("streams")[0];
        stream.GetProperty("watermark_before").GetString().ShouldBe("at=2026-01-01 00:05:00.000000+00");
        stream.GetProperty("watermark_after").GetString().ShouldBe("at=2026-01-01 00:07:00.000000+00");
        stream.GetProperty("rows_inserted").GetInt64().ShouldBe(2);
        (await ScalarAsync("select count(*) from events")).ShouldBe("7");
        (await ScalarAsync("select count(distinct id) from events")).ShouldBe("7");
        ShouldNotLeakTheSecret();
    }

    [Fact]
    public async Task PostgresWarehouse_WithThePasswordInTheUrl_RecordsTheRun_WithoutThePassword()
    {
        var warehouse = await DatabaseAsync("select 1");
        File.WriteAllText(Path.Combine(folder.FullName, "prices.csv"), "sku,price\nA,1.00\nB,2.00\n");

        var result = await WharfAsync("run", "--source", "prices.csv", "--warehouse", Url(warehouse), "--mode", "merge", "--primary-key", "sku");

        result.ExitCode.ShouldBe(0, result.ToString());
        (await WharfAsync("run", "--source", "prices.csv", "--warehouse", Url(warehouse), "--mode", "merge", "--primary-key", "sku", "--dry-run")).Output
            .ShouldContain($"warehouse  postgres://{role}@");
        (await WharfAsync("runs", "--warehouse", Url(warehouse))).Output.ShouldContain("main.prices");
        await using var connection = new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(Cancel);
        await using var count = new NpgsqlCommand("select (select count(*) from main.prices), (select count(*) from _wharf.runs), (select count(*) from _wharf.runs r where r::text like '%' || $1 || '%')", connection);
        count.Parameters.AddWithValue(secret);
        await using var reader = await count.ExecuteReaderAsync(Cancel);
        await reader.ReadAsync(Cancel);
        (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)).ShouldBe((2L, 1L, 0L));
        File.Exists(Path.Combine(folder.FullName, "warehouse.duckdb")).ShouldBeFalse();
        ShouldNotLeakTheSecret();
    }

    /// <summary>A port of 127.0.0.1 that nothing listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
