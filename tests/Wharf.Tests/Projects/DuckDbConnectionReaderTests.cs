using Wharf.Projects;

namespace Wharf.Tests.Projects;

/// <summary>wharf.yml: <c>type: duckdb</c> connections, <c>foreign_keys:</c> and <c>load_order:</c>, and PostgreSQL's TLS files.</summary>
public sealed class DuckDbConnectionReaderTests : IDisposable
{
    private readonly TempProjectFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task A_duckdb_connection_reads_its_file_or_memory_with_init_sql_and_the_declared_keys()
    {
        folder.WriteProject("""
            connections:
              staging: { type: duckdb, path: data/staging.duckdb }
              scripted: { type: duckdb, path: ":memory:", init_sql: "CREATE TABLE t AS SELECT 1 AS x" }
            pipelines:
              sync:
                source: staging
                tables: ["*"]
                load_order: [clientes, pedidos]
                foreign_keys:
                  pedidos: { cliente_id: clientes.id }
                  itens: { pedido_id: main.pedidos.id, produto_id: produtos.id }
            """);

        var project = await folder.LoadAsync();

        project.Connections[0].Path.ShouldBe(Path.Combine(folder.Path, "data", "staging.duckdb"));
        project.Connections[1].Path.ShouldBe(":memory:");
        project.Connections[1].InitSql.ShouldBe("CREATE TABLE t AS SELECT 1 AS x");
        var sync = project.Pipelines[0];
        sync.LoadOrder.ShouldBe(["clientes", "pedidos"]);
        sync.DeclaredForeignKeys.ShouldBe([
            new DeclaredForeignKey("pedidos", "cliente_id", "clientes", "id"),
            new DeclaredForeignKey("itens", "pedido_id", "main.pedidos", "id"),
            new DeclaredForeignKey("itens", "produto_id", "produtos", "id")]);
    }

    [Theory]
    [InlineData("{ type: duckdb }", "needs 'path:'", 2)]
    [InlineData("{ type: duckdb, path: \":memory:\" }", "add 'init_sql:'", 2)]
    [InlineData("{ type: duckdb, path: a.duckdb, url: x }", "'url'", 2)]
    public async Task A_bad_duckdb_connection_says_what_and_where(string connection, string problem, int line)
    {
        var error = await folder.LoadFailsAsync($$"""
            connections:
              staging: {{connection}}
            pipelines:
              sync: { source: staging, tables: ["*"] }
            """);

        error.Message.ShouldContain(problem);
        error.Line.ShouldBe(line);
    }

    [Fact]
    public async Task A_foreign_key_that_is_not_table_dot_column_says_so()
    {
        var error = await folder.LoadFailsAsync("""
            connections:
              staging: { type: duckdb, path: s.duckdb }
            pipelines:
              sync:
                source: staging
                tables: ["*"]
                foreign_keys:
                  pedidos: { cliente_id: clientes }
            """);

        error.Message.ShouldContain("'foreign_keys: pedidos: cliente_id' must name the referenced table and column as table.column");
        error.Line.ShouldBe(8);
    }

    [Fact]
    public async Task Postgres_tls_files_come_from_keys_or_the_url_relative_to_the_project()
    {
        folder.WriteProject("""
            connections:
              a: { type: postgres, url: "postgres://u@db/x?sslmode=verify-full&sslrootcert=certs/ca.pem&sslcert=/abs/client.pem&sslkey=certs/client.key" }
              b: { type: postgres, host: db, database: x, sslmode: verify-full, sslrootcert: ca.pem, sslcert: c.pem, sslkey: c.key }
            pipelines:
              sync: { source: a, tables: ["*"] }
            """);

        var project = await folder.LoadAsync();

        var a = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString.For(project.Connections[0]));
        a.SslMode.ShouldBe(Npgsql.SslMode.VerifyFull);
        a.RootCertificate.ShouldBe(Path.Combine(folder.Path, "certs", "ca.pem"));
        a.SslCertificate.ShouldBe("/abs/client.pem");
        a.SslKey.ShouldBe(Path.Combine(folder.Path, "certs", "client.key"));
        var b = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString.For(project.Connections[1]));
        b.RootCertificate.ShouldBe(Path.Combine(folder.Path, "ca.pem"));
        b.SslCertificate.ShouldBe(Path.Combine(folder.Path, "c.pem"));
        b.SslKey.ShouldBe(Path.Combine(folder.Path, "c.key"));
    }
}
