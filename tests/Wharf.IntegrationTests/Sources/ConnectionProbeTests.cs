using Npgsql;
using Wharf.IntegrationTests.Postgres;
using Wharf.Projects;
using Wharf.Sources;

namespace Wharf.IntegrationTests.Sources;

/// <summary>`wharf test-connection` and `wharf discover`: plain failures, never the password.</summary>
public sealed class ConnectionProbeTests(PostgresServer postgres)
{
    private static ConnectionSettings Postgres(string url) => new("shop", "postgres") { Url = url };

    [Fact]
    public async Task Test_WhenReachable_SaysWhereAndWhichVersion()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var result = await ConnectionProbe.TestAsync(Postgres(database.Url), TestContext.Current.CancellationToken);
        result.ShouldContain($"/{database.Name}");
        result.ShouldContain("PostgreSQL 1");
    }

    [Fact]
    public async Task Test_WhenNothingListens_SaysRefused_WithoutThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        var url = $"postgres://wharf:TopSecret%21@127.0.0.1:1/{builder.Database}";
        var error = await Should.ThrowAsync<SourceException>(() => ConnectionProbe.TestAsync(Postgres(url), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("refused");
        error.Message.ShouldNotContain("TopSecret");
        error.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public async Task Test_WhenTheDatabaseIsMissing_SaysSo()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        var url = $"postgres://{builder.Username}:hunter2@{builder.Host}:{builder.Port}/no_such_database";
        var error = await Should.ThrowAsync<SourceException>(() => ConnectionProbe.TestAsync(Postgres(url), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("does not exist");
        error.Message.ShouldNotContain("hunter2");
        error.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task Test_WhenTheHostDoesNotResolve_SaysDns()
    {
        var error = await Should.ThrowAsync<SourceException>(() =>
            ConnectionProbe.TestAsync(Postgres("postgres://u:pw@no-such-host.invalid:5432/db"), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("DNS");
    }

    [Fact]
    public async Task Discover_ListsColumnsKeysAndForeignKeys()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand("""
                create table customers (id int primary key, name text not null);
                create table orders (id bigint primary key, customer_id int references customers(id), amount numeric(12,2));
                """, connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var tables = await ConnectionProbe.DiscoverAsync(Postgres(database.Url), TestContext.Current.CancellationToken);

        tables.Select(t => t.QualifiedName).ShouldBe(["public.customers", "public.orders"]);
        var orders = tables[1];
        orders.PrimaryKey.ShouldBe(["id"]);
        orders.Columns.Select(c => (c.Name, c.DataType, c.Nullable)).ShouldBe([("id", "bigint", false), ("customer_id", "integer", true), ("amount", "numeric(12,2)", true)]);
        var foreignKey = orders.ForeignKeys.ShouldHaveSingleItem();
        foreignKey.Columns.ShouldBe(["customer_id"]);
        foreignKey.ReferencedQualifiedName.ShouldBe("public.customers");
        foreignKey.ReferencedColumns.ShouldBe(["id"]);
    }

    [Fact]
    public async Task Test_WhenTlsIsRequiredButTheServerHasNone_SaysTls()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<SourceException>(() =>
            ConnectionProbe.TestAsync(Postgres(database.Url + "?sslmode=require"), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("TLS");
        error.Message.ShouldContain("sslmode");
    }

    [Fact]
    public async Task Test_WhenTheUserIsRejected_SaysAuthentication_WithoutThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        var url = $"postgres://no_such_user:s3cr3t-pw@{builder.Host}:{builder.Port}/{builder.Database}";
        var error = await Should.ThrowAsync<SourceException>(() => ConnectionProbe.TestAsync(Postgres(url), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("authentication failed");
        error.Message.ShouldNotContain("s3cr3t-pw");
        error.IsTransient.ShouldBeFalse();
    }
}
