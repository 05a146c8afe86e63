using Wharf.IntegrationTests.Sources;
using Wharf.Runs;

namespace Wharf.IntegrationTests.MySql;

/// <summary>MariaDB → lake → DuckDB: every type arrives exactly, value by value on edge values; tables in foreign-key order.</summary>
public sealed class MySqlSourceTests(MySqlServer mysql) : IDisposable
{
    /// <summary>Every type of the matrix in docs/types.md, with its edge values (row 1 the highest, row 2 the lowest and zero dates).</summary>
    internal const string TypesSql = """
        SET time_zone = '+00:00';
        SET sql_mode = '';
        CREATE TABLE t (
          id INT PRIMARY KEY,
          ti TINYINT, tiu TINYINT UNSIGNED, b BOOL, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
          i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
          d DECIMAL(38,10), d2 DECIMAL(12,2), d30 DECIMAL(38,30), f FLOAT, db DOUBLE,
          bit1 BIT(1), bit5 BIT(5), bit64 BIT(64),
          dt DATE, dtt DATETIME(6), ts TIMESTAMP(6) NULL DEFAULT NULL, tm TIME(6), y YEAR,
          c CHAR(4), vc VARCHAR(20), tx TEXT, l1 VARCHAR(20) CHARACTER SET latin1,
          bn BINARY(4), vb VARBINARY(10), bl BLOB,
          e ENUM('sad', 'happy'), s SET('a', 'b', 'c'), j JSON, g POINT, gg GEOMETRY
        ) ENGINE = InnoDB;
        INSERT INTO t VALUES
          (1, 127, 255, 1, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615,
           9999999999999999999999999999.9999999999, 9999999999.99, 0.000000000000000000000000000001, 1.2345678, 1.7976931348623157e308,
           b'1', b'10101', b'1111111111111111111111111111111111111111111111111111111111111111',
           '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '838:59:59.000000', 2155,
           'ab', '😀 emoji', CONCAT('line1', CHAR(10), 'line2 ''quoted'' ünïcödé'), 'café ñ',
           X'00FF10', X'', X'DEADBEEF', 'happy', 'a,c', '{"a": [1, 2]}', ST_GeomFromText('POINT(1 2)'), ST_GeomFromText('LINESTRING(0 0,1 1)')),
          (2, -128, 0, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
           -9999999999999999999999999999.9999999999, -0.01, -0.000000000000000000000000000001, -3.4028234e38, -2.2250738585072014e-308,
           b'0', b'0', b'0', '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '-838:59:59.000000', 0,
           '', '', '', '', X'', NULL, X'', 'sad', '', '[]', NULL, NULL),
          (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, '2024-00-15', '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01', '00:00:00.000001', 1901,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        """;

    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    private async Task<MySqlTestDatabase> SyncAsync(string setupSql, string tables = "[\"*\"]", string connectionExtra = "", string pipelineExtra = "")
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await database.ExecuteAsync(setupSql);
        harness.WithProject($$"""
            connections:
              db: { type: mysql, url: "{{database.Url}}"{{connectionExtra}} }
            pipelines:
              sync:
                source: db
                tables: {{tables}}
                schema: raw
                mode: replace
                parallel: 2{{pipelineExtra}}
            """);
        return database;
    }

    [Fact]
    public async Task OddNames_ArriveUnderTheirNames()
    {
        await SyncAsync("""
            CREATE TABLE `Order "Items".v2` (`select` INT PRIMARY KEY, `Ünïcödé col` TEXT, `a.b` DECIMAL(10,2), `with space` DATE);
            INSERT INTO `Order "Items".v2` VALUES (1, 'é', 1.50, '2024-01-02'), (2, NULL, -0.01, NULL);
            """);

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();

        harness.Scalar("""select string_agg(concat_ws('|', "select", "ünïcödé_col", "a_b", "with_space"), ';' order by "select") from raw."Order ""Items"".v2" """)
            .ShouldBe("1|é|1.50|2024-01-02;2|-0.01");
    }

    [Fact]
    public async Task BytesRead_IsWhatTheServerSent()
    {
        // 20,000 rows of 128 characters of text: the result set alone is more than 2.5 MB on the wire.
        await SyncAsync("""
            CREATE TABLE big (id INT PRIMARY KEY, payload TEXT);
            INSERT INTO big SELECT seq, REPEAT(MD5(seq), 4) FROM seq_1_to_20000;
            """);

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();

        var read = Convert.ToInt64(harness.Scalar("SELECT bytes_read FROM _wharf.runs"), System.Globalization.CultureInfo.InvariantCulture);
        read.ShouldBeInRange(20_000 * 128L, 20_000 * 128L + 1024 * 1024, "the rows' text plus the protocol's framing and a few small queries");
    }

    [Fact]
    public async Task Types_ArriveExactly_WithEdgeValues()
    {
        await SyncAsync(TypesSql, connectionExtra: ", zero_dates: null");
        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));

        object? Value(string column, int id) => harness.Scalar($"select {column} from raw.t where id = {id}");
        harness.Scalar("select count(*) from raw.t").ShouldBe(3L);
        Value("ti", 1).ShouldBe((sbyte)127);
        Value("ti", 2).ShouldBe((sbyte)-128);
        Value("tiu", 1).ShouldBe((byte)255);
        Value("b", 1).ShouldBe(true);
        Value("b", 2).ShouldBe(false);
        Value("si", 2).ShouldBe((short)-32768);
        Value("siu", 1).ShouldBe((ushort)65535);
        Value("mi", 2).ShouldBe(-8388608);
        Value("miu", 1).ShouldBe(16777215);
        Value("i", 2).ShouldBe(int.MinValue);
        Value("iu", 1).ShouldBe(uint.MaxValue);
        Value("bi", 2).ShouldBe(long.MinValue);
        Value("bi", 1).ShouldBe(long.MaxValue);
        Value("biu", 1).ShouldBe(ulong.MaxValue);
        harness.Scalar("select typeof(biu) || ' ' || typeof(iu) || ' ' || typeof(tiu) || ' ' || typeof(b) from raw.t limit 1").ShouldBe("UBIGINT UINTEGER UTINYINT BOOLEAN");
        Value("d::varchar", 1).ShouldBe("9999999999999999999999999999.9999999999");
        Value("d::varchar", 2).ShouldBe("-9999999999999999999999999999.9999999999");
        Value("d2", 2).ShouldBe(-0.01m);
        Value("d30::varchar", 1).ShouldBe("0.000000000000000000000000000001");
        Value("d30::varchar", 2).ShouldBe("-0.000000000000000000000000000001");
        harness.Scalar("select typeof(d30) || ' ' || typeof(d2) from raw.t limit 1").ShouldBe("DECIMAL(38,30) DECIMAL(12,2)");
        Value("f", 1).ShouldBe(1.2345678f);
        Value("f", 2).ShouldBe(-3.4028234e38f);
        Value("db", 1).ShouldBe(1.7976931348623157e308);
        Value("db", 2).ShouldBe(-2.2250738585072014e-308);
        Value("bit1", 1).ShouldBe(true);
        Value("bit1", 2).ShouldBe(false);
        Value("bit5", 1).ShouldBe(21UL);
        Value("bit64", 1).ShouldBe(ulong.MaxValue);
        Value("dt", 1).ShouldBe(new DateOnly(9999, 12, 31));
        Value("dtt", 1).ShouldBe(new DateTime(9999, 12, 31, 23, 59, 59).AddTicks(9_999_990));
        Value("dtt", 3).ShouldBe(new DateTime(1000, 1, 1, 0, 0, 0).AddTicks(10));
        Value("ts", 1).ShouldBe(new DateTime(2038, 1, 19, 3, 14, 7, DateTimeKind.Utc).AddTicks(9_999_990));
        Value("ts", 3).ShouldBe(new DateTime(1970, 1, 1, 0, 0, 1, DateTimeKind.Utc));
        harness.Scalar("select typeof(ts) || ' ' || typeof(dtt) || ' ' || typeof(tm) from raw.t limit 1").ShouldBe("TIMESTAMP WITH TIME ZONE TIMESTAMP INTERVAL");

        // Zero dates (and a date with a zero month) are NULL with zero_dates: null, never a wrong date.
        Value("dt", 2).ShouldBeNull();
        Value("dtt", 2).ShouldBeNull();
        Value("ts", 2).ShouldBeNull();
        Value("y", 2).ShouldBeNull();
        Value("dt", 3).ShouldBeNull();
        Value("tm::varchar", 1).ShouldBe("838:59:59");
        Value("tm::varchar", 2).ShouldBe("-838:59:59");
        Value("tm::varchar", 3).ShouldBe("00:00:00.000001");
        Value("y", 1).ShouldBe((short)2155);
        Value("y", 3).ShouldBe((short)1901);
        Value("c", 1).ShouldBe("ab");
        Value("vc", 1).ShouldBe("😀 emoji");
        Value("tx", 1).ShouldBe("line1\nline2 'quoted' ünïcödé");
        Value("tx", 2).ShouldBe("");
        Value("l1", 1).ShouldBe("café ñ");
        Value("bn", 1).ShouldBe(new byte[] { 0, 255, 16, 0 });
        Value("vb", 1).ShouldBe(Array.Empty<byte>());
        Value("bl", 1).ShouldBe(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF });
        Value("e", 1).ShouldBe("happy");
        Value("s", 1).ShouldBe("a,c");
        Value("s", 2).ShouldBe("");
        Value("j->>'$.a[1]'", 1).ShouldBe("2");
        harness.Scalar("select typeof(j) from raw.t limit 1").ShouldBe("JSON");
        Value("g", 1).ShouldBe("POINT(1 2)");
        Value("gg", 1).ShouldBe("LINESTRING(0 0,1 1)");
        Value("ti", 3).ShouldBeNull();
        Value("biu", 3).ShouldBeNull();
    }

    [Fact]
    public async Task ZeroDate_IsAnError_NamingTableColumnAndRow_ByDefault()
    {
        await SyncAsync("""
            SET sql_mode = '';
            CREATE TABLE z (id INT PRIMARY KEY, made DATE);
            INSERT INTO z VALUES (1, '2024-01-01'), (2, '0000-00-00');
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.Single().Error.ShouldNotBeNull();
        error.ShouldContain("z.made");
        error.ShouldContain("row 2");
        error.ShouldContain("zero_dates: null");
        harness.Scalar("select count(*) from information_schema.tables where table_name = 'z'").ShouldBe(0L);
    }

    [Fact]
    public async Task Spatial_AsWkb_WhenAsked()
    {
        await SyncAsync("CREATE TABLE p (id INT PRIMARY KEY, g POINT); INSERT INTO p VALUES (1, ST_GeomFromText('POINT(1 2)'));", connectionExtra: ", spatial: wkb");

        (await harness.RunAsync()).Succeeded.ShouldBeTrue();

        // WKB: byte order 1 (little-endian), type 1 (point), then x = 1.0 and y = 2.0 as doubles.
        var wkb = (byte[])harness.Scalar("select g from raw.p")!;
        wkb.ShouldBe([1, 1, 0, 0, 0, .. BitConverter.GetBytes(1.0), .. BitConverter.GetBytes(2.0)]);
    }

    [Fact]
    public async Task TinyIntOneHoldingTwo_IsAnError_NotTrue()
    {
        await SyncAsync("CREATE TABLE f (id INT PRIMARY KEY, flag TINYINT(1)); INSERT INTO f VALUES (1, 1), (2, 2);");

        var summary = await harness.RunAsync();

        var error = summary.Streams.Single().Error.ShouldNotBeNull();
        error.ShouldContain("f.flag");
        error.ShouldContain("2 is not a boolean");
    }

    [Fact]
    public async Task DecimalTooWideForDuckDb_IsAnErrorNamingTableAndColumn()
    {
        await SyncAsync("CREATE TABLE w (id INT PRIMARY KEY, huge DECIMAL(65,30)); INSERT INTO w VALUES (1, 1);");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeFalse();
        var error = summary.Streams.Single().Error.ShouldNotBeNull();
        error.ShouldContain("w.huge");
        error.ShouldContain("decimal(65,30)");
        error.ShouldContain("query:");
    }

    [Fact]
    public async Task Tables_LoadInForeignKeyOrder_WithGlobsExclusionsAndKeys()
    {
        await SyncAsync("""
            CREATE TABLE customers (id INT PRIMARY KEY, referred_by INT, FOREIGN KEY (referred_by) REFERENCES customers(id));
            CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, FOREIGN KEY (customer_id) REFERENCES customers(id));
            CREATE TABLE order_lines (order_id INT, line INT, PRIMARY KEY (order_id, line), FOREIGN KEY (order_id) REFERENCES orders(id));
            CREATE TABLE skip_me (id INT);
            INSERT INTO customers VALUES (1, NULL), (2, 1);
            INSERT INTO orders VALUES (10, 2);
            INSERT INTO order_lines VALUES (10, 1), (10, 2);
            """, "[\"*\", \"!skip_*\"]", pipelineExtra: "\n    keys: true");

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        summary.Streams.Select(s => s.Stream).ShouldBe(["customers", "orders", "order_lines"]);
        harness.Scalar("select count(*) from raw.order_lines").ShouldBe(2L);
        harness.Scalar("select count(*) from information_schema.tables where table_name = 'skip_me'").ShouldBe(0L);
        harness.Scalar("select constraint_column_names::varchar from duckdb_constraints() where table_name = 'order_lines' and constraint_type = 'PRIMARY KEY'")
            .ShouldBe("[order_id, line]");
    }

    [Fact]
    public async Task Query_LoadsItsRowsIntoTheNamedTable_WithTheColumnsTypes()
    {
        var database = await mysql.CreateDatabaseAsync(TestContext.Current.CancellationToken);
        await database.ExecuteAsync(TypesSql);
        harness.WithProject($$"""
            connections:
              db: { type: mysql, url: "{{database.Url}}", zero_dates: null }
            pipelines:
              q:
                source: db
                query: "select id, biu, d2 * 2 as doubled, b, dt, tm, j from t where id <> 3"
                table: picked
            """);

        var summary = await harness.RunAsync();

        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        harness.Scalar("select count(*) from main.picked").ShouldBe(2L);
        harness.Scalar("select biu from main.picked where id = 1").ShouldBe(ulong.MaxValue);
        harness.Scalar("select doubled from main.picked where id = 2").ShouldBe(-0.02m);
        harness.Scalar("select b from main.picked where id = 1").ShouldBe(true);
        harness.Scalar("select dt from main.picked where id = 1").ShouldBe(new DateOnly(9999, 12, 31));
        harness.Scalar("select tm::varchar from main.picked where id = 2").ShouldBe("-838:59:59");
    }

    [Fact]
    public async Task UnknownTable_IsAnErrorListingTheTables()
    {
        await SyncAsync("CREATE TABLE real_one (id INT);", "[typo]");

        var summary = await harness.RunAsync();

        var error = summary.Streams.Single().Error.ShouldNotBeNull();
        error.ShouldContain("there is no table 'typo'");
        error.ShouldContain("real_one");
    }

    [Fact]
    public async Task BigTable_IsReadInKeyRangesFromOneSnapshot_WithEveryRowOnce()
    {
        var database = await SyncAsync("""
            CREATE TABLE big (id INT PRIMARY KEY, label VARCHAR(20));
            INSERT INTO big (id, label) SELECT seq, CONCAT('row ', seq) FROM seq_1_to_300000;
            DELETE FROM big WHERE id BETWEEN 100000 AND 110000;
            ANALYZE TABLE big;
            """, "[big]");
        global::Wharf.Sources.Sql.MySql.MySqlKeyRanges.SplitRows = 1000;
        try
        {
            var summary = await harness.RunAsync();
            summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));
        }
        finally
        {
            global::Wharf.Sources.Sql.MySql.MySqlKeyRanges.SplitRows = global::Wharf.Sources.Sql.MySql.MySqlKeyRanges.DefaultSplitRows;
        }

        harness.Scalar("select count(*) from raw.big").ShouldBe(289_999L);
        harness.Scalar("select count(distinct id) from raw.big").ShouldBe(289_999L);
        harness.Scalar("select min(id) || '-' || max(id) from raw.big").ShouldBe("1-300000");
        harness.Scalar("select len(lake_files) >= 2 from _wharf.runs").ShouldBe(true);
        database.Name.ShouldStartWith("t_");
    }
}
