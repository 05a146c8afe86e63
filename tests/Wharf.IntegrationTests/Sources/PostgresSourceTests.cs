using System.Numerics;
using Npgsql;
using Wharf.DuckDb;
using Wharf.IntegrationTests.Postgres;
using Wharf.Runs;

namespace Wharf.IntegrationTests.Sources;

/// <summary>PostgreSQL → lake → DuckDB: every built-in type arrives exactly; tables in foreign-key order.</summary>
public sealed class PostgresSourceTests(PostgresServer postgres) : IDisposable
{
    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private async Task<TestDatabase> SyncAsync(string setupSql, string tables = "[\"public.*\"]")
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, setupSql);
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              sync:
                source: db
                tables: {{tables}}
                schema: raw
                mode: replace
                parallel: 2
            """);
        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        return database;
    }

    [Fact]
    public async Task BytesRead_IsWhatTheServerSent_ForEachStreamOnItsOwn()
    {
        var database = await SyncAsync("""
            create table big (id int primary key, payload text);
            insert into big select i, repeat(md5(i::text), 4) from generate_series(1, 20000) i;
            create table small (id int primary key, note text);
            insert into small select i, 'n' || i from generate_series(1, 100) i;
            """);

        // What each table is on the wire: its binary COPY, which the extract reads (plus a few small queries).
        var onTheWire = new Dictionary<string, long>();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            foreach (var table in new[] { "big", "small" })
            {
                await using var copy = await connection.BeginRawBinaryCopyAsync($"COPY (SELECT * FROM {table}) TO STDOUT (FORMAT binary)", TestContext.Current.CancellationToken);
                var buffer = new byte[81920];
                long total = 0;
                int chunk;
                while ((chunk = await copy.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
                {
                    total += chunk;
                }

                onTheWire[table] = total;
            }
        }

        var read = harness.Scalar("SELECT string_agg(stream || '=' || bytes_read, ',' ORDER BY stream) FROM _wharf.runs")!.ToString()!
            .Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0].Contains("big", StringComparison.Ordinal) ? "big" : "small", p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
        onTheWire["big"].ShouldBeGreaterThan(2_000_000);
        // Plus the protocol's framing (5 bytes a row) and a few small queries.
        read["big"].ShouldBeInRange(onTheWire["big"], onTheWire["big"] * 105 / 100 + 64 * 1024);
        read["small"].ShouldBeInRange(onTheWire["small"], onTheWire["small"] * 105 / 100 + 64 * 1024, "the parallel big table's bytes are not counted here");
    }

    [Fact]
    public async Task Types_ArriveExactly_WithEdgeValues()
    {
        await SyncAsync("""
            create type mood as enum ('sad', 'happy');
            create domain positive_int as int check (value > 0);
            create table t (
              id int primary key, i2 smallint, i8 bigint, n numeric(38,10), n2 numeric(12,2), nu numeric, r real, d double precision,
              tx text, vc varchar(10), ch char(4), b boolean, dt date, tm time, ttz timetz, ts timestamp, tstz timestamptz,
              iv interval, u uuid, j json, jb jsonb, by bytea, ai int[], at text[], an numeric(6,2)[], e mood, dom positive_int,
              ip inet, cidr cidr, m money);
            insert into t values
              (1, -32768, 9223372036854775807, 9999999999999999999999999999.9999999999, -0.01, 1234567890123456789.0123456789,
               'NaN', 'Infinity', E'line1\nline2 "quoted" ''single'' ünïcödé', 'short', 'ab', true, '2024-02-29', '23:59:59.999999',
               '10:00:00+05:30', '2024-01-01 00:00:00.000001', '1999-12-31 23:59:59.999999+00', '1 year 2 months 3 days 04:05:06.000007',
               'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2]}', '{"b": null}', '\x00ff10', '{1,NULL,3}', '{"x","y,z",NULL}',
               '{1.10,-2.25}', 'happy', 7, '192.168.0.1', '10.0.0.0/8', 12.5),
              (2, null, null, null, null, null, '-Infinity', 'NaN', '', null, null, false, 'infinity', '00:00:00', null,
               '-infinity', 'infinity', '-1 days', null, null, null, '', '{}', '{}', null, null, null, null, null, -0.01),
              (3, null, null, null, null, null, null, null, null, null, null, null, '0001-01-01', null, null,
               '4713-01-01 00:00:00 BC', '2262-01-01 00:00:00+00', null, null, null, null, null, null, null, null, null, null, null, null, null);
            """);

        harness.Scalar("select count(*) from raw.t").ShouldBe(3L);
        harness.Scalar("select i2 from raw.t where id = 1").ShouldBe((short)-32768);
        harness.Scalar("select i8 from raw.t where id = 1").ShouldBe(long.MaxValue);
        harness.Scalar("select n::varchar from raw.t where id = 1").ShouldBe("9999999999999999999999999999.9999999999");
        harness.Scalar("select typeof(n) from raw.t limit 1").ShouldBe("DECIMAL(38,10)");
        harness.Scalar("select n2 from raw.t where id = 1").ShouldBe(-0.01m);
        harness.Scalar("select typeof(n2) from raw.t limit 1").ShouldBe("DECIMAL(12,2)");
        harness.Scalar("select nu::varchar from raw.t where id = 1").ShouldBe("1234567890123456789.0123456789");
        harness.Scalar("select r from raw.t where id = 1").ShouldBe(float.NaN);
        harness.Scalar("select r from raw.t where id = 2").ShouldBe(float.NegativeInfinity);
        harness.Scalar("select d from raw.t where id = 1").ShouldBe(double.PositiveInfinity);
        harness.Scalar("select tx from raw.t where id = 1").ShouldBe("line1\nline2 \"quoted\" 'single' ünïcödé");
        harness.Scalar("select tx from raw.t where id = 2").ShouldBe("");
        harness.Scalar("select ch from raw.t where id = 1").ShouldBe("ab  ");
        harness.Scalar("select dt from raw.t where id = 1").ShouldBe(new DateOnly(2024, 2, 29));
        harness.Scalar("select isinf(dt) from raw.t where id = 2").ShouldBe(true);
        harness.Scalar("select dt from raw.t where id = 3").ShouldBe(new DateOnly(1, 1, 1));
        harness.Scalar("select ts::varchar from raw.t where id = 3").ShouldBe("4713-01-01 (BC) 00:00:00");
        harness.Scalar("select tstz from raw.t where id = 3").ShouldBe(new DateTime(2262, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        harness.Scalar("select tm from raw.t where id = 1").ShouldBe(new TimeOnly(23, 59, 59).Add(TimeSpan.FromTicks(9_999_990)));
        harness.Scalar("select ttz::varchar from raw.t where id = 1").ShouldBe("10:00:00+05:30");
        harness.Scalar("select ts from raw.t where id = 1").ShouldBe(new DateTime(2024, 1, 1).AddTicks(10));
        harness.Scalar("select isinf(ts) and ts < '2000-01-01' from raw.t where id = 2").ShouldBe(true);
        harness.Scalar("select tstz from raw.t where id = 1").ShouldBe(new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990));
        harness.Scalar("select isinf(tstz) from raw.t where id = 2").ShouldBe(true);
        // DuckDB's text keeps an interval's months, days and microseconds apart (its equality would not: 30 days = 1 month).
        harness.Scalar("select iv::varchar from raw.t where id = 1").ShouldBe("1 year 2 months 3 days 04:05:06.000007");
        harness.Scalar("select iv::varchar from raw.t where id = 2").ShouldBe("-1 day");
        harness.Scalar("select u from raw.t where id = 1").ShouldBe(Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        harness.Scalar("select j::varchar from raw.t where id = 1").ShouldBe("{\"a\": [1, 2]}");
        harness.Scalar("select typeof(jb) from raw.t limit 1").ShouldBe("JSON");
        harness.Scalar("select \"by\" from raw.t where id = 1").ShouldBe(new byte[] { 0, 255, 16 });
        harness.Scalar("select \"by\" from raw.t where id = 2").ShouldBe(Array.Empty<byte>());
        // DuckDB.NET reads no list holding a NULL as an object: the lists are compared as DuckDB's text, their types apart.
        harness.Scalar("select ai::varchar from raw.t where id = 1").ShouldBe("[1, NULL, 3]");
        harness.Scalar("select typeof(ai) from raw.t limit 1").ShouldBe("INTEGER[]");
        harness.Scalar("select ai from raw.t where id = 2").ShouldBe(new List<object?>());
        harness.Scalar("select \"at\"::varchar from raw.t where id = 1").ShouldBe("[x, 'y,z', NULL]");
        harness.Scalar("select typeof(\"at\") from raw.t limit 1").ShouldBe("VARCHAR[]");
        harness.Scalar("select an from raw.t where id = 1").ShouldBe(new List<object?> { 1.10m, -2.25m });
        harness.Scalar("select typeof(an) from raw.t limit 1").ShouldBe("DECIMAL(6,2)[]");
        harness.Scalar("select e from raw.t where id = 1").ShouldBe("happy");
        harness.Scalar("select dom from raw.t where id = 1").ShouldBe(7);
        harness.Scalar("select ip from raw.t where id = 1").ShouldBe("192.168.0.1");
        harness.Scalar("select cidr from raw.t where id = 1").ShouldBe("10.0.0.0/8");
        harness.Scalar("select m from raw.t where id = 2").ShouldBe(-0.01m);
    }

    [Fact]
    public async Task Tables_LoadInForeignKeyOrder_WithSelfReferencesAndCycles()
    {
        await SyncAsync("""
            create table orders (id int primary key, customer_id int);
            create table customers (id int primary key, referred_by int references customers(id));
            alter table orders add foreign key (customer_id) references customers(id);
            create table a (id int primary key, b_id int);
            create table b (id int primary key, a_id int references a(id));
            alter table a add foreign key (b_id) references b(id);
            create table skip_me (id int);
            insert into customers values (1, null), (2, 1);
            insert into orders values (10, 2);
            """, "[\"public.*\", \"!public.skip_me\"]");

        var loaded = ((string)harness.Scalar("select string_agg(stream, ',' order by finished_at) from _wharf.runs")!).Split(',').ToList();
        loaded.Order().ShouldBe(["a", "b", "customers", "orders"]);
        loaded.IndexOf("customers").ShouldBeLessThan(loaded.IndexOf("orders"));
        harness.Scalar("select count(*) from raw.orders").ShouldBe(1L);
        harness.Scalar("select count(*) from information_schema.tables where table_name = 'skip_me'").ShouldBe(0L);
    }

    [Fact]
    public async Task LargeTable_IsWrittenToTheLakeInParts_AndLoadsEveryRow()
    {
        await SyncAsync("""
            create table big (id bigint primary key, label text, amount numeric(10,2));
            insert into big select i, 'row ' || i, (i % 1000) / 100.0 from generate_series(1, 1100000) i;
            """, "[\"big\"]");

        harness.Scalar("select count(*) from raw.big").ShouldBe(1_100_000L);
        harness.Scalar("select sum(id) from raw.big").ShouldBe(new BigInteger(605_000_550_000));
        harness.Scalar("select len(lake_files) > 1 from _wharf.runs").ShouldBe(true);
        harness.Scalar("select rows_extracted from _wharf.runs").ShouldBe(1_100_000L);
    }

    [Fact]
    public async Task VeryLargeTable_IsSplitIntoKeyRanges_CopiedInParallel_WithEveryRowOnce()
    {
        await SyncAsync("""
            create table huge (id int primary key, label text);
            insert into huge select i, 'row ' || i from generate_series(1, 2300000) i;
            delete from huge where id between 500000 and 600000;
            analyze huge;
            """, "[\"huge\"]");

        harness.Scalar("select count(*) from raw.huge").ShouldBe(2_199_999L);
        harness.Scalar("select count(distinct id) from raw.huge").ShouldBe(2_199_999L);
        harness.Scalar("select min(id) || '-' || max(id) from raw.huge").ShouldBe("1-2300000");
        harness.Scalar("select len(lake_files) >= 3 from _wharf.runs").ShouldBe(true);
    }

    [Fact]
    public async Task Query_LoadsItsRowsIntoTheNamedTable()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, "create table s (id int, amount numeric(8,3)); insert into s values (1, 1.5), (2, -2.125);");
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              q:
                source: db
                query: "select id, amount * 2 as doubled from s where id > 0"
                table: doubled
            """);

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();
        harness.Scalar("select doubled from main.doubled where id = 2").ShouldBe(-4.250m);
    }

    [Fact]
    public async Task Query_EndingInASemicolonOrALineComment_LoadsAsTyped()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, "create table s (id int); insert into s values (1), (2);");
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              semicolon: { source: db, query: "select id from s where id > 1;  ", table: semicolon }
              comment: { source: db, query: "select id from s -- every row", table: comment }
              block:
                source: db
                table: block
                query: |
                  select id
                  from s;
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        harness.Scalar("select count(*) from main.semicolon").ShouldBe(1L);
        harness.Scalar("select count(*) from main.comment").ShouldBe(2L);
        harness.Scalar("select count(*) from main.block").ShouldBe(2L);
    }

    [Fact]
    public async Task NumericTooWideForDuckDb_IsAnErrorNamingTheColumn()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, "create table w (id int, huge numeric(50,2)); insert into w values (1, 1);");
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              sync: { source: db, tables: [w] }
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.Single().Error.ShouldNotBeNull();
        error.ShouldContain("w.huge");
        error.ShouldContain("numeric(50,2)");
    }

    [Fact]
    public async Task UnconstrainedNumericWithTooManyDecimals_IsAnErrorNotRounding()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, "create table x (id int, v numeric); insert into x values (1, 0.12345678901);");
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              sync: { source: db, tables: [x] }
            """);

        var summary = await harness.RunAsync();

        summary.Streams.Single().Status.ShouldBe(RunStatus.Failed);
        summary.Streams.Single().Error.ShouldNotBeNull().ShouldContain("more than 10 decimal places");
    }

    [Fact]
    public async Task AnArrayOfTwoDimensions_IsAnErrorNamingTheColumn_AndJsonArraysStayWhole()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, """
            create table grid (id int primary key, cells int[], notes jsonb[]);
            insert into grid values (1, '{1,2}', array['[1, 2]'::jsonb]), (2, '{{1,2},{3,4}}', null);
            create table flat (id int primary key, notes jsonb[]);
            insert into flat values (1, array['[1, 2]'::jsonb, '{"a": [3]}'::jsonb]);
            """);
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              sync: { source: db, tables: [grid, flat] }
            """);

        var summary = await harness.RunAsync();

        var grid = summary.Streams.Single(s => s.Stream == "grid");
        grid.Status.ShouldBe(RunStatus.Failed);
        grid.Error.ShouldNotBeNull().ShouldContain("grid.cells holds an array of more than one dimension");
        grid.Error.ShouldContain("The value: [[1,2],[3,4]]");
        summary.Streams.Single(s => s.Stream == "flat").Status.ShouldBe(RunStatus.Succeeded);
        harness.Scalar("select cast(notes[1] as varchar) || ' ' || cast(notes[2] as varchar) from flat").ShouldBe("""[1,2] {"a":[3]}""");
    }

    [Fact]
    public async Task UnknownTable_IsAnErrorListingTheTables()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, "create table real_one (id int);");
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              sync: { source: db, tables: [public.typo] }
            """);

        var summary = await harness.RunAsync();

        summary.Streams.Single().Error.ShouldNotBeNull().ShouldContain("there is no table 'public.typo'");
        summary.Streams.Single().Error.ShouldNotBeNull().ShouldContain("public.real_one");
    }

    [Fact]
    public async Task TablesWhoseNamesDifferOnlyInCase_AreAnError_NotOneTableOverwritingTheOther()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, """
            create table "Customers" (id int primary key, name text); insert into "Customers" values (1, 'Alice');
            create table customers (id int primary key, email text); insert into customers values (2, 'b@x');
            """);
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              sync: { source: db, tables: ["Customers", customers], mode: replace }
            """);

        var summary = await harness.RunAsync();

        var error = summary.Streams.Single().Error.ShouldNotBeNull();
        error.ShouldContain("public.Customers and public.customers would land in the same warehouse table");
        harness.Scalar("select count(*) from information_schema.tables where lower(table_name) = 'customers'").ShouldBe(0L);
    }

    [Fact]
    public async Task ParallelExtraction_LoadsEveryTable_AndAFailingTableDoesNotStopTheOthers()
    {
        var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, """
            create table t1 (id int primary key); insert into t1 select generate_series(1, 50000);
            create table t2 (id int primary key, t1_id int references t1(id)); insert into t2 select i, i from generate_series(1, 40000) i;
            create table t3 (id int primary key, v numeric); insert into t3 values (1, 0.123456789012345);
            create table t4 (id int primary key, t2_id int references t2(id)); insert into t4 select i, i from generate_series(1, 30000) i;
            create table t5 (id int primary key); insert into t5 select generate_series(1, 20000);
            """);
        harness.WithProject($$"""
            connections:
              db: { type: postgres, url: "{{database.Url}}" }
            pipelines:
              sync: { source: db, tables: ["public.*"], schema: raw, mode: replace, parallel: 3 }
            """);

        var summary = await harness.RunAsync();

        summary.Streams.Select(s => s.Stream).ShouldBe(["t1", "t2", "t3", "t4", "t5"]);
        summary.Streams.Single(s => s.Stream == "t3").Status.ShouldBe(RunStatus.Failed);
        summary.Streams.Where(s => s.Stream != "t3").ShouldAllBe(s => s.Status == RunStatus.Succeeded);
        harness.Scalar("select count(*) from raw.t1").ShouldBe(50_000L);
        harness.Scalar("select count(*) from raw.t4").ShouldBe(30_000L);
        harness.Scalar("select count(*) from raw.t5").ShouldBe(20_000L);
        harness.Scalar("select count(*) from _wharf.runs where status = 'failed' and stream = 't3'").ShouldBe(1L);
    }
}
