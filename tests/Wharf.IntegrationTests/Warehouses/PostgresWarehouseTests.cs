using Npgsql;
using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Sources;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Warehouses;

/// <summary>PostgreSQL as the warehouse: append, replace (atomic swap), merge (idempotent upsert), audit, exact types.</summary>
public sealed class PostgresWarehouseTests(PostgresServer postgres) : IDisposable
{
    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private static async Task ExecuteAsync(TestDatabase database, string sql) => await database.ScalarAsync(sql + "; select 1");

    private async Task<TestDatabase> FilesIntoPostgresAsync(string csv, string mode, string extra = "")
    {
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(harness.Root, "orders.csv"), csv);
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              local: { type: files, path: . }
            pipelines:
              orders:
                source: local
                files: orders.csv
                schema: raw
                mode: {{mode}}
            {{extra}}
            """);
        return warehouse;
    }

    [Fact]
    public async Task Replace_LoadsTheTable_AndTheAuditRow_InPostgres()
    {
        var warehouse = await FilesIntoPostgresAsync("id,amount,placed_at\n1,10.50,2024-01-01 10:00:00\n2,,2024-01-02 11:30:00.000001\n", "replace");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(summary.Streams[0].Error);
        (await warehouse.ScalarAsync("select count(*) from raw.orders")).ShouldBe(2L);
        (await warehouse.ScalarAsync("select placed_at::text from raw.orders where id = 2")).ShouldBe("2024-01-02 11:30:00.000001");
        (await warehouse.ScalarAsync("select status || ':' || rows_loaded from _wharf.runs")).ShouldBe("succeeded:2");
        (await warehouse.ScalarAsync("select count(*) from raw.orders where _wharf_run_id = (select run_id from _wharf.runs)")).ShouldBe(2L);
        (await warehouse.ScalarAsync("select data_type from information_schema.columns where table_name = 'orders' and column_name = '_wharf_loaded_at'")).ShouldBe("timestamp with time zone");

        File.WriteAllText(Path.Combine(harness.Root, "orders.csv"), "id,amount,placed_at\n3,1.00,2024-01-03 00:00:00\n");
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        (await warehouse.ScalarAsync("select string_agg(id::text, ',') from raw.orders")).ShouldBe("3");
        (await warehouse.ScalarAsync("select count(*) from pg_tables where tablename like '%wharf_new%'")).ShouldBe(0L);
    }

    [Fact]
    public async Task Append_AddsRows_AndAFailedLoadLeavesTableAndAuditAsTheyWere()
    {
        var warehouse = await FilesIntoPostgresAsync("id,name\n1,a\n", "append");
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        (await warehouse.ScalarAsync("select count(*) from raw.orders")).ShouldBe(2L);

        // A new column alone would be added; an id that is no longer a number cannot be loaded.
        File.WriteAllText(Path.Combine(harness.Root, "orders.csv"), "id,name,surprise\nx2,b,x\n");
        var failed = await harness.RunAsync();

        failed.Succeeded.ShouldBeFalse();
        failed.Streams[0].Error.ShouldNotBeNull().ShouldContain("raw.orders.id is int64 in the warehouse and text in the new data");
        (await warehouse.ScalarAsync("select count(*) from information_schema.columns where table_name = 'orders' and column_name = 'surprise'")).ShouldBe(0L);
        (await warehouse.ScalarAsync("select count(*) from raw.orders")).ShouldBe(2L);
        (await warehouse.ScalarAsync("select count(*) from _wharf.runs where status = 'succeeded'")).ShouldBe(2L);
        (await warehouse.ScalarAsync("select count(*) from _wharf.runs where status = 'failed'")).ShouldBe(1L);
    }

    [Fact]
    public async Task Merge_UpsertsByKey_AndTheSameLoadTwiceChangesNothing()
    {
        var warehouse = await FilesIntoPostgresAsync("id,name\n1,a\n2,b\n", "merge", "    primary_key: [id]");
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        File.WriteAllText(Path.Combine(harness.Root, "orders.csv"), "id,name\n2,b2\n3,c\n3,c-last\n");
        var second = await harness.RunAsync();
        second.Succeeded.ShouldBeTrue(second.Streams[0].Error);
        var state = await warehouse.ScalarAsync("select string_agg(id || '=' || name, ',' order by id) from raw.orders");
        state.ShouldBe("1=a,2=b2,3=c-last");

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        (await warehouse.ScalarAsync("select string_agg(id || '=' || name, ',' order by id) from raw.orders")).ShouldBe(state);
        (await warehouse.ScalarAsync("select count(*) from information_schema.table_constraints where table_name = 'orders' and constraint_type = 'PRIMARY KEY'")).ShouldBe(1L);
    }

    [Fact]
    public async Task Types_RoundTrip_PostgresToDuckDbToPostgres_ValueByValue()
    {
        var source = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        const string columns = "i2, i4, i8, n, n2, r, d, tx, vc, b, dt, tm, ttz, ts, tstz, iv, u, by, ai, at, an, ab";
        await ExecuteAsync(source, """
            create table t (
              id int primary key, i2 smallint, i4 int, i8 bigint, n numeric(38,10), n2 numeric(12,2), r real, d double precision,
              tx text, vc varchar(10), b boolean, dt date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
              u uuid, j jsonb, by bytea, ai int[], at text[], an numeric(6,2)[], ab boolean[]);
            insert into t values
              (1, -32768, 2147483647, -9223372036854775808, 1234567890123456789.0123456789, -0.01, 'NaN', '-Infinity',
               E'line1\nline2 "quoted" ''single'' ünïcödé', 'short', true, '2024-02-29', '23:59:59.999999', '10:00:00+05:30',
               '2024-01-01 00:00:00.000001', '1999-12-31 23:59:59.999999+00', '1 year 2 months 3 days 04:05:06.000007',
               'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2], "b": null}', decode(repeat('00ff10', 100000), 'hex'),
               '{1,NULL,3}', '{"x","y,z",NULL,""}', '{1.10,-2.25}', '{true,null}'),
              (2, null, null, null, null, null, 'Infinity', 'NaN', '', null, false, 'infinity', '00:00:00', null,
               '-infinity', 'infinity', '-1 days -00:00:00.000001', null, null, '', '{}', '{}', '{}', '{}'),
              (3, null, null, null, null, null, null, null, null, null, null, '4713-01-01 BC', null, null,
               '4713-01-01 00:00:00 BC', '1900-01-01 00:00:00+00', null, null, null, null, null, null, null, null);
            """);
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              src: { type: postgres, url: "{{source.Url}}" }
            pipelines:
              copy: { source: src, tables: [t], schema: public, mode: replace }
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(summary.Streams[0].Error);
        foreach (var column in columns.Split(", "))
        {
            for (var id = 1; id <= 3; id++)
            {
                var expected = await source.ScalarAsync($"select {column}::text from t where id = {id}");
                var actual = await warehouse.ScalarAsync($"select {column}::text from public.t where id = {id}");
                actual.ShouldBe(expected, $"column {column}, row {id}");
            }
        }

        (await warehouse.ScalarAsync("select (select j from public.t where id = 1) = '{\"a\": [1, 2], \"b\": null}'::jsonb")).ShouldBe(true);
        (await warehouse.ScalarAsync("select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) from information_schema.columns where table_name = 't' and column_name in ('n', 'tstz', 'j', 'u', 'ai')"))
            .ShouldBe("n numeric, tstz timestamp with time zone, u uuid, j jsonb, ai ARRAY");
        (await warehouse.ScalarAsync("select numeric_precision || ',' || numeric_scale from information_schema.columns where table_name = 't' and column_name = 'n'")).ShouldBe("38,10");
    }

    [Fact]
    public async Task Runs_AreListedFromThePostgresAudit()
    {
        await FilesIntoPostgresAsync("id\n1\n", "append");
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var project = await Wharf.Projects.ProjectLoader.LoadAsync(harness.Root, cancellationToken: TestContext.Current.CancellationToken);
        using var warehouse = await Wharf.Warehouses.WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);
        var runs = await warehouse.ListRunsAsync(10, null, TestContext.Current.CancellationToken);
        runs.ShouldHaveSingleItem().Status.ShouldBe(RunStatus.Succeeded);
        runs[0].Target.ShouldBe("raw.orders");
    }

    [Fact]
    public async Task Keys_AreRecreatedInThePostgresWarehouse_AndReplaceStillWorksOnTheNextRun()
    {
        var source = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(source, """
            create table customers (id int primary key, name text);
            create table orders (id int primary key, customer_id int references customers(id));
            insert into customers values (1, 'a'); insert into orders values (10, 1);
            """);
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              src: { type: postgres, url: "{{source.Url}}" }
            pipelines:
              sync: { source: src, tables: ["public.*"], schema: shop, mode: replace, keys: true }
            """);

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var second = await harness.RunAsync();

        second.Succeeded.ShouldBeTrue(string.Join("; ", second.Streams.Select(s => s.Error)));
        (await warehouse.ScalarAsync("select count(*) from pg_constraint where contype = 'p' and connamespace = 'shop'::regnamespace")).ShouldBe(2L);
        (await warehouse.ScalarAsync("select confrelid::regclass::text from pg_constraint where contype = 'f' and conrelid = 'shop.orders'::regclass")).ShouldBe("shop.customers");
        await Should.ThrowAsync<PostgresException>(() => ExecuteAsync(warehouse, "insert into shop.orders (id, customer_id) values (11, 999)"));
    }

    [Fact]
    public async Task Query_ReturnsExactValues_EvenWhereDotNetTypesFallShort()
    {
        await FilesIntoPostgresAsync("id\n1\n", "append");
        var project = await Wharf.Projects.ProjectLoader.LoadAsync(harness.Root, cancellationToken: TestContext.Current.CancellationToken);
        using var warehouse = await Wharf.Warehouses.WarehouseFactory.OpenAsync(project.Warehouse, TimeProvider.System, TestContext.Current.CancellationToken);

        using var reader = warehouse.Query("select interval '1 year 2 days', 'infinity'::date, '4713-01-01 BC'::date, 123456789012345678901234567890.5::numeric, 42, 'x'::text");

        reader.Read().ShouldBeTrue();
        reader.GetValue(0).ShouldBe("1 year 2 days");
        reader.GetValue(1).ShouldBe("infinity");
        reader.GetValue(2).ShouldBe("4713-01-01 BC");
        reader.GetValue(3).ShouldBe("123456789012345678901234567890.5");
        reader.GetValue(4).ShouldBe(42);
        reader.GetValue(5).ShouldBe("x");
    }

    [Theory]
    [InlineData("DECIMAL(38,10)", new[] { "0.0000000000", "0.0000000001", "-0.0000000001", "1.0000000000", "10000.0000000000", "9999.9999000000", "1234567890123456789012345678.0123456789", "-9999999999999999999999999999.9999999999" })]
    [InlineData("DECIMAL(4,0)", new[] { "0", "1", "-1", "9999", "-10" })]
    [InlineData("DECIMAL(18,3)", new[] { "0.001", "100.000", "-123456789012345.678", "10000.500" })]
    public async Task Numerics_ArriveExactly_AtEveryWidthAndScale(string type, string[] values)
    {
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        var parquet = Path.Combine(harness.Root, "n.parquet");
        using (var connection = DuckDbConnections.Open(null))
        {
            var rows = string.Join(" union all ", values.Select((v, i) => $"select {i} as id, '{v}'::{type} as v"));
            connection.Execute($"copy ({rows}) to '{parquet}' (format parquet)");
        }

        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              local: { type: files, path: . }
            pipelines:
              n: { source: local, files: n.parquet, mode: replace }
            """);
        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(summary.Streams[0].Error);

        for (var i = 0; i < values.Length; i++)
        {
            (await warehouse.ScalarAsync($"select v::text from main.n where id = {i}")).ShouldBe(values[i]);
        }
    }

    [Fact]
    public async Task LoadInterruptedByTheServer_IsRetried_AndLoadsEveryRowExactlyOnce()
    {
        var warehouse = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              local: { type: files, path: . }
            pipelines:
              orders: { source: local, files: orders.csv, schema: raw, mode: append }
            """);
        await File.WriteAllTextAsync(Path.Combine(harness.Root, "orders.csv"), "id,label\n0,first\n", TestContext.Current.CancellationToken);
        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        var csv = new System.Text.StringBuilder("id,label\n");
        for (var i = 1; i <= 200_000; i++)
        {
            csv.Append(i).Append(",row ").Append(i).Append('\n');
        }

        await File.WriteAllTextAsync(Path.Combine(harness.Root, "orders.csv"), csv.ToString(), TestContext.Current.CancellationToken);

        // Hold a lock so wharf's COPY waits, then terminate it as a server restart or a dropped
        // connection would: the load must be retried from scratch, never half-applied.
        await using var admin = new NpgsqlConnection(warehouse.ConnectionString);
        await admin.OpenAsync(TestContext.Current.CancellationToken);
        var blocker = await admin.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var lockTable = new NpgsqlCommand("lock table raw.orders in access exclusive mode", admin, blocker))
        {
            await lockTable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var run = harness.RunAsync();
        await using var watcher = new NpgsqlConnection(warehouse.ConnectionString);
        await watcher.OpenAsync(TestContext.Current.CancellationToken);
        var terminated = 0L;
        for (var attempt = 0; attempt < 600 && terminated == 0; attempt++)
        {
            await using var kill = new NpgsqlCommand(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'wharf' and wait_event_type = 'Lock' and datname = current_database()", watcher);
            terminated = (long)(await kill.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await blocker.RollbackAsync(TestContext.Current.CancellationToken);
        var summary = await run;

        terminated.ShouldBe(1L, "the test must have interrupted the waiting load");
        summary.Succeeded.ShouldBeTrue(summary.Streams[0].Error);
        (await warehouse.ScalarAsync("select count(*) from raw.orders")).ShouldBe(200_001L);
        (await warehouse.ScalarAsync("select count(distinct id) from raw.orders")).ShouldBe(200_001L);
        (await warehouse.ScalarAsync("select count(*) from _wharf.runs")).ShouldBe(2L);
    }
}
