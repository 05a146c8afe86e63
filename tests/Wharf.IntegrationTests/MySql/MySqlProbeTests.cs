using Wharf.Projects;
using Wharf.Sources;

namespace Wharf.IntegrationTests.MySql;

/// <summary>`wharf test-connection` and `wharf discover` on MariaDB: plain failures, never the password.</summary>
public sealed class MySqlProbeTests(MySqlServer mysql)
{
    private static ConnectionSettings MySql(string url) => new("shop", "mysql") { Url = url };

    /// <summary>The URL of <paramref name="database"/> with another password, database or port.</summary>
    private static string Altered(MySqlTestDatabase database, string? password = null, string? name = null, int? port = null)
    {
        var builder = new MySqlConnector.MySqlConnectionStringBuilder(database.ConnectionString);
        return $"mysql://{builder.UserID}:{password ?? builder.Password}@{builder.Server}:{port ?? (int)builder.Port}/{name ?? builder.Database}";
    }

    [Fact]
    public async Task Test_WhenReachable_SaysWhereAndWhichServer()
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var result = await ConnectionProbe.TestAsync(MySql(database.Url), TestContext.Current.CancellationToken);
        result.ShouldContain($"/{database.Name}");
        result.ShouldContain("MariaDB 1");
    }

    [Fact]
    public async Task Test_WhenThePasswordIsWrong_SaysAuthentication_WithoutThePassword()
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<SourceException>(() =>
            ConnectionProbe.TestAsync(MySql(Altered(database, password: "TopSecret!")), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("authentication failed");
        error.Message.ShouldNotContain("TopSecret");
        error.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task Test_WhenTheDatabaseIsMissing_SaysSo()
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<SourceException>(() =>
            ConnectionProbe.TestAsync(MySql(Altered(database, name: "no_such_database")), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("does not exist");
        error.IsTransient.ShouldBeFalse();
    }

    [Fact]
    public async Task Test_WhenNothingListens_SaysRefused()
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<SourceException>(() =>
            ConnectionProbe.TestAsync(MySql(Altered(database, port: 1)), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("refused");
        error.Message.ShouldNotContain(":wharf@");
        error.IsTransient.ShouldBeTrue();
    }

    [Fact]
    public async Task Test_TlsModes_DisabledConnects_RequiredSaysTlsFailed_OnAServerWithoutTls()
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        (await ConnectionProbe.TestAsync(MySql(database.Url + "?ssl_mode=disabled"), TestContext.Current.CancellationToken)).ShouldContain("connected");

        var error = await Should.ThrowAsync<SourceException>(() =>
            ConnectionProbe.TestAsync(MySql(database.Url + "?ssl_mode=required"), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("TLS failed");
        error.Message.ShouldContain("ssl_mode");
    }

    [Fact]
    public async Task Test_WhenTheHostDoesNotResolve_SaysDns()
    {
        var error = await Should.ThrowAsync<SourceException>(() =>
            ConnectionProbe.TestAsync(MySql("mysql://u:pw@no-such-host.invalid:3306/db"), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("DNS");
    }

    [Fact]
    public async Task Discover_ListsColumnsKeysForeignKeysAndRowEstimates()
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await database.ExecuteAsync("""
            CREATE TABLE customers (id INT UNSIGNED PRIMARY KEY, name VARCHAR(40) NOT NULL, doc JSON);
            CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id INT UNSIGNED, amount DECIMAL(10,2),
              CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers(id));
            INSERT INTO customers VALUES (1, 'a', '{}'), (2, 'b', NULL);
            ANALYZE TABLE customers;
            """);

        var tables = await ConnectionProbe.DiscoverAsync(MySql(database.Url), TestContext.Current.CancellationToken);

        tables.Select(t => t.QualifiedName).ShouldBe([$"{database.Name}.customers", $"{database.Name}.orders"]);
        var customers = tables[0];
        customers.Columns.Select(c => (c.Name, c.DataType, c.Nullable)).ShouldBe([("id", "int(10) unsigned", false), ("name", "varchar(40)", false), ("doc", "json", true)]);
        customers.PrimaryKey.ShouldBe(["id"]);
        customers.EstimatedRows.ShouldBe(2);
        var foreignKey = tables[1].ForeignKeys.ShouldHaveSingleItem();
        (foreignKey.Name, foreignKey.ReferencedTable, string.Join(",", foreignKey.Columns), string.Join(",", foreignKey.ReferencedColumns))
            .ShouldBe(("orders_customer", "customers", "customer_id", "id"));
    }
}
