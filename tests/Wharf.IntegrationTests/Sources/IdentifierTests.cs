using Npgsql;
using Wharf.IntegrationTests.Postgres;

namespace Wharf.IntegrationTests.Sources;

/// <summary>
/// Names a user really has: a schema with a space, a table with quotes and a dot, columns that
/// are reserved words, unicode, dotted, spaced or 63 characters long. From PostgreSQL into both
/// warehouses, merged twice (a change between), every value where it belongs; and two columns
/// that differ only in case, which DuckDB cannot hold apart, refused with the way around it.
/// </summary>
public sealed class IdentifierTests(PostgresServer postgres) : IDisposable
{
    private const string Table = "\"Sales Dept\".\"Order \"\"Items\"\".v2\"";

    private const string LongName = "a_column_name_that_is_exactly_sixty_three_characters_long_abcde";

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task<TestDatabase> SourceAsync(string extraColumn = "")
    {
        var source = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(source.ConnectionString, $"""
            create schema "Sales Dept";
            create table {Table} (
              "select" int primary key, "Ünïcödé col" text, "a.b" numeric(10,2), "with space" date, "{LongName}" text, "Order" text{extraColumn});
            insert into {Table} ("select", "Ünïcödé col", "a.b", "with space", "{LongName}", "Order")
              values (1, 'é', 1.50, '2024-01-02', 'long', 'o1'), (2, null, -0.01, null, null, 'o2');
            """);
        return source;
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task OddNames_LoadAndMerge_IntoEitherWarehouse(string warehouseKind)
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await SourceAsync();
        var warehouse = warehouseKind == "postgres" ? await postgres.CreateDatabaseAsync(ct) : null;
        harness.WithProject($$"""
            {{(warehouse is null ? "" : $"warehouse: \"{warehouse.Url}\"")}}
            connections:
              src: { type: postgres, url: "{{source.Url}}" }
            pipelines:
              ids: { source: src, tables: ["Sales Dept.*"], schema: raw, mode: merge }
            """);

        var first = await harness.RunAsync();
        first.Succeeded.ShouldBeTrue(string.Join("\n", first.Streams.Select(s => s.Error)));
        await ExecuteAsync(source.ConnectionString, $"""update {Table} set "Ünïcödé col" = 'ü2', "a.b" = 7.25 where "select" = 2; insert into {Table} ("select", "Order") values (3, 'o3')""");
        var second = await harness.RunAsync();
        second.Succeeded.ShouldBeTrue(string.Join("\n", second.Streams.Select(s => s.Error)));

        // The table keeps its name; the columns are in snake_case (docs/schema.md), reserved words quoted.
        const string Select = $"""select "select", "ünïcödé_col", cast("a_b" as varchar), cast("with_space" as varchar), "{LongName}", "order" from raw."Order ""Items"".v2" order by 1""";
        var rows = await RowsAsync(warehouse, Select);
        rows.ShouldBe([
            "1 | é | 1.50 | 2024-01-02 | long | o1",
            "2 | ü2 | 7.25 | NULL | NULL | o2",
            "3 | NULL | NULL | NULL | NULL | o3",
        ]);
    }

    /// <summary>The query's rows, each as "a | b | NULL", from the DuckDB warehouse or the PostgreSQL one.</summary>
    private async Task<List<string>> RowsAsync(TestDatabase? warehouse, string sql)
    {
        static string Row(System.Data.Common.DbDataReader reader) => string.Join(" | ", Enumerable.Range(0, reader.FieldCount)
            .Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)));
        var ct = TestContext.Current.CancellationToken;
        var rows = new List<string>();
        await using System.Data.Common.DbConnection connection = warehouse is null
            ? new DuckDB.NET.Data.DuckDBConnection($"Data Source={harness.Warehouse}")
            : new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = warehouse is null ? sql : sql.Replace("as varchar", "as text", StringComparison.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Row(reader));
        }

        return rows;
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task OddNames_FromAFileAndSqlite_IntoEitherWarehouse(string warehouseKind)
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = warehouseKind == "postgres" ? await postgres.CreateDatabaseAsync(ct) : null;
        harness.Write("data/Odd Name.v2.csv", "\"select\",\"Ünïcödé col\",\"a.b\",\"with space\",\"Order \"\"X\"\"\"\n1,é,1.50,2024-01-02,q\n");
        await using (var lite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(harness.Root, "s.db")}"))
        {
            await lite.OpenAsync(ct);
            await using var command = lite.CreateCommand();
            command.CommandText = """
                create table "Order ""Items"".v2" ("select" integer primary key, "Ünïcödé col" text, "with space" text);
                insert into "Order ""Items"".v2" values (1, 'é', 'x');
                """;
            await command.ExecuteNonQueryAsync(ct);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        harness.WithProject($$"""
            {{(warehouse is null ? "" : $"warehouse: \"{warehouse.Url}\"")}}
            connections:
              f: { type: files, path: data/ }
              lite: { type: sqlite, path: s.db }
            pipelines:
              csvs: { source: f, files: "Odd Name.v2.csv", table: odd, mode: replace }
              lite: { source: lite, tables: ["*"], schema: raw, mode: merge }
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        (await RowsAsync(warehouse, "select \"select\", \"ünïcödé_col\", cast(\"a_b\" as varchar), cast(\"with_space\" as varchar), \"order_x\" from main.odd"))
            .ShouldBe(["1 | é | 1.50 | 2024-01-02 | q"]);
        (await RowsAsync(warehouse, "select \"select\", \"ünïcödé_col\", \"with_space\" from raw.\"Order \"\"Items\"\".v2\""))
            .ShouldBe(["1 | é | x"]);
    }

    [Fact]
    public async Task ColumnsThatDifferOnlyInCase_AreRefused_SayingHowToLoadThem()
    {
        var source = await SourceAsync(", \"order\" text");
        harness.WithProject($$"""
            connections:
              src: { type: postgres, url: "{{source.Url}}" }
            pipelines:
              ids: { source: src, tables: ["Sales Dept.*"], schema: raw, mode: replace }
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.Single().Error!;
        error.ShouldContain("the columns 'Order' and 'order' differ only in case");
        error.ShouldContain("SELECT \"Order\" AS \"Order_1\", \"order\" AS \"order_2\"");
        error.ShouldContain("Nothing was loaded.");
        error.ShouldNotContain("Catalog Error");
        harness.Scalar("select count(*) from information_schema.tables where table_schema = 'raw'").ShouldBe(0L);
    }

    [Fact]
    public async Task ColumnNamesLongerThanPostgresKeeps_AreRefused_NotCut()
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        var stem = new string('x', 63);
        harness.Write("data/t.csv", $"id,{stem}_first,{stem}_second\n1,a,b\n");
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              f: { type: files, path: data/ }
            pipelines:
              t: { source: f, files: "t.csv", mode: replace }
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.Single().Error!;
        error.ShouldContain($"The column name '{stem}_first' is 69 bytes long, and PostgreSQL keeps only 63.");
        error.ShouldContain("rolled back");
        error.ShouldNotContain("SQLSTATE");
    }
}
