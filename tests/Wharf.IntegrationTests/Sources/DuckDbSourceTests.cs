using Npgsql;
using Wharf.IntegrationTests.Postgres;
using Wharf.Projects;
using Wharf.Sources;

namespace Wharf.IntegrationTests.Sources;

/// <summary>
/// DuckDB file → lake → DuckDB and PostgreSQL warehouses: every DuckDB type arrives exactly (edge
/// values), tables in foreign-key order (the file's own keys, or those wharf.yml declares),
/// incremental cursor + merge + delete detection across runs, the file read-only and a writer's lock
/// waited for, discover, and in-memory databases built by init_sql.
/// </summary>
public sealed class DuckDbSourceTests(PostgresServer postgres) : IDisposable
{
    internal const string TypesSql = """
        CREATE TYPE mood AS ENUM ('sad', 'happy');
        CREATE TABLE t (
          id INTEGER PRIMARY KEY, hi HUGEINT, uhi UHUGEINT, d38 DECIMAL(38,10), d18 DECIMAL(18,3), ti TINYINT, ui UBIGINT,
          ts TIMESTAMP, tsns TIMESTAMP_NS, tstz TIMESTAMPTZ, dt DATE, tm TIME, iv INTERVAL, u UUID,
          l INTEGER[], ls VARCHAR[], s STRUCT(a INTEGER, b VARCHAR), m MAP(VARCHAR, INTEGER), e mood, b BLOB, bt BIT,
          tx VARCHAR, f DOUBLE, j JSON);
        INSERT INTO t VALUES
          (1, 170141183460469231731687303715884105727, '340282366920938463463374607431768211455'::UHUGEINT, 9999999999999999999999999999.9999999999,
           -0.001, -128, 18446744073709551615, '2024-01-01 00:00:00.000001', '2024-01-01 00:00:00.123456', '1999-12-31 23:59:59.999999+00',
           '2024-02-29', '23:59:59.999999', INTERVAL '1 year 2 months 3 days 04:05:06.000007', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
           [1, NULL, 3], ['x', 'y,z', NULL], {'a': 1, 'b': 'q"uote'}, MAP {'k': 1, 'l': NULL}, 'happy', '\x00\xFF\x10'::BLOB, '101'::BIT,
           'line1' || chr(10) || 'line2 ''single'' ünïcödé', 'NaN', '{"a": [1, 2]}'),
          (2, -170141183460469231731687303715884105727 - 1, 0, -9999999999999999999999999999.9999999999,
           0, 127, 0, 'infinity', '1677-09-22 00:00:00', '-infinity',
           '-infinity', '00:00:00', INTERVAL '-1 day -1 microsecond', '00000000-0000-0000-0000-000000000000',
           [], [], {'a': NULL, 'b': NULL}, MAP {}, 'sad', ''::BLOB, '0'::BIT,
           '', '-Infinity', 'null'),
          (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        """;

    private static readonly string[] TypeColumns =
        ["hi", "uhi", "d38", "d18", "ti", "ui", "ts", "tsns", "tstz", "dt", "tm", "iv", "u", "l", "ls", "s", "m", "e", "b", "bt", "tx", "f", "j"];

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private string Staging => Path.Combine(harness.Root, "staging.duckdb");

    private void Project(string warehouse, string pipeline) => harness.WithProject($"""
        {warehouse}
        connections:
          staging: {"{"} type: duckdb, path: staging.duckdb {"}"}
        pipelines:
          sync:
            source: staging
        {pipeline}
        """);

    private static async Task<List<string>> PostgresRowsAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using (var zone = new NpgsqlCommand("SET TimeZone = 'UTC'", connection))
        {
            await zone.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    private async Task RunOkAsync()
    {
        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
    }

    [Fact]
    public async Task Types_ArriveExactly_InTheDuckDbWarehouse()
    {
        DuckDbFile.Execute(Staging, TypesSql);
        Project("", "    tables: [\"*\"]\n    schema: raw\n    mode: replace");
        await RunOkAsync();

        // Value by value: each column's text in the warehouse is its text in the source file.
        foreach (var column in TypeColumns)
        {
            string Sql(string table) => $"SELECT id, CAST({column} AS VARCHAR) FROM {table} ORDER BY id";
            DuckDbFile.Rows(harness.Warehouse, Sql("raw.t")).ShouldBe(DuckDbFile.Rows(Staging, Sql("t")), column);
        }

        DuckDbFile.Rows(harness.Warehouse, "SELECT " + string.Join(", ", TypeColumns.Select(c => $"typeof({c})")) + " FROM raw.t LIMIT 1").ShouldBe([
            "HUGEINT|UHUGEINT|DECIMAL(38,10)|DECIMAL(18,3)|TINYINT|UBIGINT|TIMESTAMP|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE|DATE|TIME|INTERVAL|UUID|" +
            "INTEGER[]|VARCHAR[]|STRUCT(a INTEGER, b VARCHAR)|MAP(VARCHAR, INTEGER)|VARCHAR|BLOB|BIT|VARCHAR|DOUBLE|JSON"]);
        DuckDbFile.Rows(harness.Warehouse, "SELECT hi::VARCHAR, uhi::VARCHAR, d38::VARCHAR, tsns::VARCHAR, iv::VARCHAR, bt::VARCHAR FROM raw.t ORDER BY id LIMIT 2").ShouldBe([
            "170141183460469231731687303715884105727|340282366920938463463374607431768211455|9999999999999999999999999999.9999999999|2024-01-01 00:00:00.123456|1 year 2 months 3 days 04:05:06.000007|101",
            "-170141183460469231731687303715884105728|0|-9999999999999999999999999999.9999999999|1677-09-22 00:00:00|-1 day -00:00:00.000001|0"]);
    }

    [Fact]
    public async Task Types_ArriveExactly_InThePostgresWarehouse()
    {
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        DuckDbFile.Execute(Staging, TypesSql);
        Project($"warehouse: \"{warehouse.Url}\"", "    tables: [\"*\"]\n    schema: raw\n    mode: replace");
        await RunOkAsync();

        string[] expected =
        [
            "hi|170141183460469231731687303715884105727|-170141183460469231731687303715884105728|∅",
            "uhi|340282366920938463463374607431768211455|0|∅",
            "d38|9999999999999999999999999999.9999999999|-9999999999999999999999999999.9999999999|∅",
            "d18|-0.001|0.000|∅",
            "ti|-128|127|∅",
            "ui|18446744073709551615|0|∅",
            "ts|2024-01-01 00:00:00.000001|infinity|∅",
            "tsns|2024-01-01 00:00:00.123456|1677-09-22 00:00:00|∅",
            "tstz|1999-12-31 23:59:59.999999+00|-infinity|∅",
            "dt|2024-02-29|-infinity|∅",
            "tm|23:59:59.999999|00:00:00|∅",
            "iv|1 year 2 mons 3 days 04:05:06.000007|-1 days -00:00:00.000001|∅",
            "u|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|00000000-0000-0000-0000-000000000000|∅",
            "l|{1,NULL,3}|{}|∅",
            "ls|{x,\"y,z\",NULL}|{}|∅",
            "s|{\"a\": 1, \"b\": \"q\\\"uote\"}|{\"a\": null, \"b\": null}|∅",
            "m|{\"k\": 1, \"l\": null}|{}|∅",
            "e|happy|sad|∅",
            "b|\\x00ff10|\\x|∅",
            "bt|101|0|∅",
            "tx|line1\nline2 'single' ünïcödé||∅",
            "f|NaN|-Infinity|∅",
            "j|{\"a\": [1, 2]}|null|∅",
        ];
        foreach (var line in expected)
        {
            var column = line[..line.IndexOf('|', StringComparison.Ordinal)];
            var rows = await PostgresRowsAsync(warehouse, $"SELECT {column}::text FROM raw.t ORDER BY id");
            $"{column}|{string.Join("|", rows)}".ShouldBe(line);
        }

        (await PostgresRowsAsync(warehouse, "SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = 't' AND column_name IN ('hi', 'uhi', 'bt', 'tsns', 'tstz', 'm', 'e') ORDER BY column_name"))
            .ShouldBe(["bt bit varying", "e text", "hi numeric", "m jsonb", "tsns timestamp without time zone", "tstz timestamp with time zone", "uhi numeric"]);
    }

    [Fact]
    public async Task Nanoseconds_ThatPostgresCannotHold_FailTheLoad_NamingTableAndColumn()
    {
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        DuckDbFile.Execute(Staging, "CREATE TABLE events (id INTEGER, happened TIMESTAMP_NS); INSERT INTO events VALUES (1, '2024-01-01 00:00:00.000001'), (2, '2024-01-01 00:00:00.123456789');");
        Project($"warehouse: \"{warehouse.Url}\"", "    tables: [events]\n    schema: raw\n    mode: replace");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.Single().Error!;
        error.ShouldContain("raw.events");
        error.ShouldContain("column happened holds 2024-01-01 00:00:00.123456789");
        error.ShouldContain("nanoseconds");
        (await PostgresRowsAsync(warehouse, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'events'")).ShouldBe(["0"]);
    }

    private const string ShopSql = """
        CREATE TABLE clientes (id INTEGER PRIMARY KEY, nome VARCHAR, updated_at TIMESTAMP);
        CREATE TABLE pedidos (id INTEGER PRIMARY KEY, cliente_id INTEGER REFERENCES clientes (id), total DECIMAL(12,2), updated_at TIMESTAMP);
        INSERT INTO clientes SELECT i, 'cliente ' || i, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND FROM range(1, 101) r(i);
        INSERT INTO pedidos SELECT i, 1 + i % 100, (i % 997) / 100.0, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND FROM range(1, 3001) r(i);
        """;

    private const string ShopChanges = """
        UPDATE pedidos SET total = total + 1, updated_at = TIMESTAMP '2030-01-01' WHERE id % 2 = 0;
        DELETE FROM pedidos WHERE id IN (5, 7, 2999);
        INSERT INTO pedidos VALUES (5001, 3, 12.34, TIMESTAMP '2030-01-02'), (5002, 4, 0.01, TIMESTAMP '2030-01-02');
        UPDATE clientes SET nome = 'renomeado', updated_at = TIMESTAMP '2030-01-01' WHERE id = 42;
        """;

    private const string Incremental = """
            tables: ["*"]
            schema: raw
            mode: merge
            keys: true
            cursor: updated_at
            detect_deletes: true
            chunk_rows: 1000
        """;

    private static string Fingerprint(string schema) => $"SELECT count(*), sum(total), string_agg(CAST(id AS VARCHAR) || ':' || CAST(total AS VARCHAR), ',' ORDER BY id) FROM {schema}pedidos";

    [Fact]
    public async Task Incremental_CursorMergeAndDeletes_AcrossRuns_IntoDuckDb()
    {
        DuckDbFile.Execute(Staging, ShopSql);
        Project("", Incremental);

        await RunOkAsync();
        var first = (long)harness.Scalar("SELECT rows_extracted FROM _wharf.runs WHERE stream = 'pedidos'")!;
        first.ShouldBe(3000L);
        // chunk_rows: 1000 wrote (and committed) the 3,000 rows in three parts.
        harness.Scalar("SELECT len(list_filter(lake_files, f -> f NOT LIKE '%.keys%')) FROM _wharf.runs WHERE stream = 'pedidos'").ShouldBe(3L);

        DuckDbFile.Execute(Staging, ShopChanges);
        await RunOkAsync();

        DuckDbFile.Rows(harness.Warehouse, Fingerprint("raw.")).ShouldBe(DuckDbFile.Rows(Staging, Fingerprint("")));
        harness.Scalar("SELECT nome FROM raw.clientes WHERE id = 42").ShouldBe("renomeado");

        // Only what changed was read: 1,500 updates (the row at the last watermark among them) and 2 inserts.
        harness.Scalar("SELECT rows_extracted FROM _wharf.runs WHERE stream = 'pedidos' ORDER BY started_at DESC LIMIT 1").ShouldBe(1502L);
        harness.Scalar("SELECT rows_deleted FROM _wharf.runs WHERE stream = 'pedidos' ORDER BY started_at DESC LIMIT 1").ShouldBe(3L);
    }

    [Fact]
    public async Task Incremental_CursorMergeAndDeletes_AcrossRuns_IntoPostgres_InForeignKeyOrder()
    {
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        DuckDbFile.Execute(Staging, ShopSql);
        Project($"warehouse: \"{warehouse.Url}\"", Incremental);

        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        summary.Streams.Select(s => s.Stream).ShouldBe(["clientes", "pedidos"]);
        DuckDbFile.Execute(Staging, ShopChanges);
        await RunOkAsync();

        (await PostgresRowsAsync(warehouse, Fingerprint("raw."))).ShouldBe(DuckDbFile.Rows(Staging, Fingerprint("")));
        (await PostgresRowsAsync(warehouse, "SELECT nome FROM raw.clientes WHERE id = 42")).ShouldBe(["renomeado"]);
        (await PostgresRowsAsync(warehouse, "SELECT rows_extracted, rows_deleted FROM _wharf.runs WHERE stream = 'pedidos' ORDER BY started_at DESC LIMIT 1")).ShouldBe(["1502|3"]);

        // keys: true recreated the file's foreign key in PostgreSQL.
        (await PostgresRowsAsync(warehouse, "SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'")).ShouldBe(["raw.pedidos -> raw.clientes"]);
    }

    [Fact]
    public async Task A_FileWithoutConstraints_LoadsInTheOrderThatWharfYmlDeclares()
    {
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        DuckDbFile.Execute(Staging, """
            CREATE TABLE a_itens (id INTEGER PRIMARY KEY, pedido_id INTEGER);
            CREATE TABLE b_pedidos (id INTEGER PRIMARY KEY, cliente_id INTEGER);
            CREATE TABLE c_clientes (id INTEGER PRIMARY KEY);
            CREATE TABLE d_pagamentos (id INTEGER PRIMARY KEY);
            CREATE TABLE e_moedas (id INTEGER PRIMARY KEY);
            INSERT INTO c_clientes VALUES (1); INSERT INTO b_pedidos VALUES (10, 1); INSERT INTO a_itens VALUES (100, 10);
            """);
        Project($"warehouse: \"{warehouse.Url}\"", """
                tables: ["*"]
                schema: raw
                mode: replace
                keys: true
                foreign_keys:
                  a_itens: { pedido_id: b_pedidos.id }
                  b_pedidos: { cliente_id: c_clientes.id }
                load_order: [e_moedas, d_pagamentos]
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        var order = summary.Streams.Select(s => s.Stream).ToList();
        order.IndexOf("c_clientes").ShouldBeLessThan(order.IndexOf("b_pedidos"));
        order.IndexOf("b_pedidos").ShouldBeLessThan(order.IndexOf("a_itens"));
        order.IndexOf("e_moedas").ShouldBeLessThan(order.IndexOf("d_pagamentos"));
        (await PostgresRowsAsync(warehouse, "SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' ORDER BY 1"))
            .ShouldBe(["raw.a_itens -> raw.b_pedidos", "raw.b_pedidos -> raw.c_clientes"]);
    }

    [Fact]
    public async Task A_DeclaredForeignKey_NamingAMissingColumn_IsAnErrorThatSaysWhere()
    {
        DuckDbFile.Execute(Staging, "CREATE TABLE pedidos (id INTEGER); CREATE TABLE clientes (id INTEGER);");
        Project("", "    tables: [\"*\"]\n    mode: replace\n    foreign_keys:\n      pedidos: { cliente: clientes.id }");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        summary.Streams.Single().Error!.ShouldContain("'foreign_keys: pedidos: cliente: clientes.id' names a column that does not exist");
    }

    [Fact]
    public async Task A_FileHeldForWriting_IsAClearError_AndWaitQueuesBehindTheWriter()
    {
        DuckDbFile.Execute(Staging, "CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2);");
        Project("", "    tables: [t]\n    mode: replace");

        using (var writer = DuckDbFile.HoldWriteLock(Staging, 30))
        {
            var summary = await harness.RunAsync();
            summary.Succeeded.ShouldBeFalse();
            var error = summary.Streams.Single().Error!;
            error.ShouldContain($"the DuckDB database {Staging} is open for writing by another process");
            error.ShouldContain("--wait");
            writer.Kill();
            await writer.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        using (DuckDbFile.HoldWriteLock(Staging, 2))
        {
            harness.WaitForLock = TimeSpan.FromSeconds(30);
            await RunOkAsync();
        }

        harness.Scalar("SELECT count(*) FROM main.t").ShouldBe(2L);
    }

    [Fact]
    public async Task Discover_ListsTablesViewsColumnsKeysAndRowCounts()
    {
        DuckDbFile.Execute(Staging, ShopSql + "CREATE SCHEMA extra; CREATE TABLE extra.notas (id BIGINT, texto VARCHAR NOT NULL); CREATE VIEW caros AS SELECT * FROM pedidos WHERE total > 5;");
        var connection = new ConnectionSettings("staging", "duckdb") { Path = Staging };

        var tables = await ConnectionProbe.DiscoverAsync(connection, TestContext.Current.CancellationToken);

        tables.Select(t => $"{t.QualifiedName}{(t.IsView ? " (view)" : "")} {t.EstimatedRows}").ShouldBe(
            ["extra.notas 0", "main.caros (view) 0", "main.clientes 100", "main.pedidos 3000"]);
        var pedidos = tables.Single(t => t.Name == "pedidos");
        pedidos.Columns.Select(c => $"{c.Name} {c.DataType} {(c.Nullable ? "null" : "not null")}")
            .ShouldBe(["id INTEGER not null", "cliente_id INTEGER null", "total DECIMAL(12,2) null", "updated_at TIMESTAMP null"]);
        pedidos.PrimaryKey.ShouldBe(["id"]);
        pedidos.ForeignKeys.Single().ShouldSatisfyAllConditions(
            fk => fk.Columns.ShouldBe(["cliente_id"]),
            fk => fk.ReferencedQualifiedName.ShouldBe("main.clientes"),
            fk => fk.ReferencedColumns.ShouldBe(["id"]));
        tables.Single(t => t.Name == "notas").Columns[1].Nullable.ShouldBeFalse();
        (await ConnectionProbe.TestAsync(connection, TestContext.Current.CancellationToken)).ShouldStartWith($"opened {Staging} read-only (DuckDB v");
    }

    [Fact]
    public async Task InMemory_WithInitSql_IsAScriptedSource_AndAQueryLoadsIntoItsTable()
    {
        harness.WithProject("""
            connections:
              scripted: { type: duckdb, path: ":memory:", init_sql: "CREATE TABLE numbers AS SELECT i AS n, i * i AS square FROM range(1, 11) r(i)" }
            pipelines:
              numbers:
                source: scripted
                tables: [numbers]
                mode: replace
              evens:
                source: scripted
                query: SELECT n FROM numbers WHERE n % 2 = 0
                mode: replace
            """);

        await RunOkAsync();

        harness.Scalar("SELECT CAST(sum(square) AS BIGINT) FROM main.numbers").ShouldBe(385L);
        harness.Scalar("SELECT string_agg(n::VARCHAR, ',' ORDER BY n) FROM main.evens").ShouldBe("2,4,6,8,10");
    }

    [Fact]
    public async Task A_MissingFile_IsAnError_NeverAnEmptyNewDatabase()
    {
        Project("", "    tables: [\"*\"]\n    mode: replace");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        summary.Streams.Single().Error!.ShouldContain($"the DuckDB database {Staging} does not exist");
        File.Exists(Staging).ShouldBeFalse();
    }
}
