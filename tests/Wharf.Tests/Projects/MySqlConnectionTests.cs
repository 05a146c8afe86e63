using MySqlConnector;
using Wharf.Projects;
using Wharf.Sources.Sql.MySql;

namespace Wharf.Tests.Projects;

/// <summary>A <c>type: mysql</c> connection: URL or fields, TLS modes and options, checked as the project is read.</summary>
public sealed class MySqlConnectionTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Project(string connection) => $$"""
        connections:
          shop: {{connection}}
        pipelines:
          sync: { source: shop, tables: ["*"] }
        """;

    [Fact]
    public async Task Url_WithPasswordFromTheEnvironment_BecomesTheConnectionString_AndIsDescribedWithoutIt()
    {
        folder.WriteProject(Project("""{ type: mysql, url: "mysql://etl:${DB_PASSWORD}@db.example:3307/shop?ssl_mode=verify_identity" }"""));

        var project = await folder.LoadAsync(new Dictionary<string, string> { ["DB_PASSWORD"] = "p@ss:w/rd" });

        var connection = project.Connection("shop");
        var builder = new MySqlConnectionStringBuilder(MySqlConnectionString.For(connection));
        builder.UserID.ShouldBe("etl");
        builder.Password.ShouldBe("p@ss:w/rd");
        builder.Server.ShouldBe("db.example");
        builder.Port.ShouldBe(3307u);
        builder.Database.ShouldBe("shop");
        builder.SslMode.ShouldBe(MySqlSslMode.VerifyFull);
        builder.AllowZeroDateTime.ShouldBeTrue("zero dates are told apart by Wharf, never turned into DateTime.MinValue");
        builder.TreatTinyAsBoolean.ShouldBeFalse();
        builder.GuidFormat.ShouldBe(MySqlGuidFormat.None);
        MySqlConnectionString.Describe(connection).ShouldBe("etl@db.example:3307/shop");
        connection.ToString().ShouldNotContain("p@ss");
        connection.ZeroDates.ShouldBe(ZeroDates.Error);
        connection.Spatial.ShouldBe(SpatialFormat.Wkt);
    }

    [Fact]
    public async Task Fields_WithOptions_AreRead()
    {
        folder.WriteProject(Project("{ type: mysql, host: localhost, user: etl, database: shop, ssl_mode: required, zero_dates: null, spatial: wkb }"));

        var connection = (await folder.LoadAsync()).Connection("shop");

        var builder = new MySqlConnectionStringBuilder(MySqlConnectionString.For(connection));
        builder.Port.ShouldBe(3306u);
        builder.SslMode.ShouldBe(MySqlSslMode.Required);
        connection.ZeroDates.ShouldBe(ZeroDates.Null);
        connection.Spatial.ShouldBe(SpatialFormat.Wkb);
    }

    [Theory]
    [InlineData("{ type: mysql, url: \"postgres://x@h/db\" }", "must start with mysql://")]
    [InlineData("{ type: mysql, url: \"mysql://x@h:99999/db\" }", "'99999' is not a port")]
    [InlineData("{ type: mysql, url: \"mysql://x@h/db?charset=latin1\" }", "the parameter 'charset'")]
    [InlineData("{ type: mysql, host: h, ssl_mode: sometimes }", "ssl_mode 'sometimes'")]
    [InlineData("{ type: mysql, host: h, zero_dates: epoch }", "'zero_dates'")]
    [InlineData("{ type: mysql, database: shop }", "needs 'url:'")]
    public async Task BadSettings_AreErrorsNamingTheLine(string connection, string expected)
    {
        var error = await folder.LoadFailsAsync(Project(connection));

        error.Message.ShouldContain(expected);
        error.Line.ShouldBe(2);
    }

    [Theory]
    [InlineData("2024-01-01 10:00:00.5+00", "'2024-01-01 10:00:00.5'")]
    [InlineData("42", "'42'")]
    [InlineData("it's", "'it''s'")]
    [InlineData(@"a\b", "_utf8mb4 X'615C62'")]
    public void CursorLiterals_AreReadTheSameUnderEverySqlMode(string value, string literal) =>
        MySqlSource.Literal(value).ShouldBe(literal);
}

/// <summary>A MySQL source's OpenLineage dataset: <c>mysql://host:port</c> and <c>database.table</c>, never the password.</summary>
public sealed class MySqlLineageTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Source_IsNamedByHostPortDatabaseAndTable()
    {
        folder.WriteProject("""
            connections:
              shop: { type: mysql, url: "mysql://etl:secret@db.example/shop" }
            pipelines:
              sync: { source: shop, tables: ["*"] }
            """);
        var project = await folder.LoadAsync();

        var dataset = Wharf.OpenLineage.OpenLineageDatasets.Source(project, project.Pipelines[0], "orders");

        dataset.Namespace.ShouldBe("mysql://db.example:3306");
        dataset.Name.ShouldBe("shop.orders");
    }
}
