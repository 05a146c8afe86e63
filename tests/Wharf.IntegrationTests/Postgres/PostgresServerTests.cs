using Npgsql;
using NpgsqlTypes;

namespace Wharf.IntegrationTests.Postgres;

/// <summary>The server that scripts/test.sh starts works: connections, tables, binary COPY.</summary>
public sealed class PostgresServerTests(PostgresServer postgres)
{
    private static readonly (int Id, string? Name, decimal Amount, DateTime SignedUp)[] Customers =
    [
        (1, "Silva, Ana", 10.50m, new DateTime(2024, 1, 15, 0, 0, 0, DateTimeKind.Utc)),
        (2, "Chen \"CC\" Li", 20.25m, new DateTime(2024, 2, 3, 12, 30, 0, DateTimeKind.Utc)),
        (3, null, 0m, new DateTime(2024, 3, 21, 23, 59, 59, DateTimeKind.Utc)),
    ];

    [Fact]
    public async Task Server_WhenConnected_IsPostgres()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select version()", connection);

        var version = (string?)await command.ExecuteScalarAsync(ct);

        version.ShouldNotBeNull().ShouldStartWith("PostgreSQL ");
    }

    [Fact]
    public async Task BinaryCopy_IntoFreshDatabase_ReadsBackEveryRow()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync(ct);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var create = new NpgsqlCommand(
            "create table customers (id integer primary key, name text, amount numeric(12, 2) not null, signed_up timestamptz not null)",
            connection))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        ulong written;
        await using (var importer = await connection.BeginBinaryImportAsync(
            "copy customers (id, name, amount, signed_up) from stdin (format binary)", ct))
        {
            foreach (var (id, name, amount, signedUp) in Customers)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(id, NpgsqlDbType.Integer, ct);
                if (name is null)
                {
                    await importer.WriteNullAsync(ct);
                }
                else
                {
                    await importer.WriteAsync(name, NpgsqlDbType.Text, ct);
                }

                await importer.WriteAsync(amount, NpgsqlDbType.Numeric, ct);
                await importer.WriteAsync(signedUp, NpgsqlDbType.TimestampTz, ct);
            }

            written = await importer.CompleteAsync(ct);
        }

        written.ShouldBe((ulong)Customers.Length);
        var read = new List<(int, string?, decimal, DateTime)>();
        await using var select = new NpgsqlCommand("select id, name, amount, signed_up from customers order by id", connection);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            read.Add((
                reader.GetInt32(0),
                await reader.IsDBNullAsync(1, ct) ? null : reader.GetString(1),
                reader.GetDecimal(2),
                reader.GetDateTime(3)));
        }

        read.ShouldBe(Customers.Select(c => (c.Id, c.Name, c.Amount, c.SignedUp)));
    }

    [Fact]
    public async Task CreateDatabase_CalledTwice_GivesTwoEmptyDatabases()
    {
        var ct = TestContext.Current.CancellationToken;

        var first = await postgres.CreateDatabaseAsync(ct);
        var second = await postgres.CreateDatabaseAsync(ct);

        first.Name.ShouldNotBe(second.Name);
        second.Url.ShouldEndWith("/" + second.Name);
        await using var connection = new NpgsqlConnection(second.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "select current_database(), (select count(*) from information_schema.tables where table_schema = 'public')",
            connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        (await reader.ReadAsync(ct)).ShouldBeTrue();
        reader.GetString(0).ShouldBe(second.Name);
        reader.GetInt64(1).ShouldBe(0L);
    }
}
