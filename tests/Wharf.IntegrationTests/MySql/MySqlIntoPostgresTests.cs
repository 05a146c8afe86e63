using Npgsql;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Sources;

namespace Wharf.IntegrationTests.MySql;

/// <summary>MariaDB → lake → PostgreSQL warehouse: the same edge values arrive exactly, in PostgreSQL's types.</summary>
public sealed class MySqlIntoPostgresTests(MySqlServer mysql, PostgresServer postgres) : IDisposable
{
    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public async Task Types_ArriveExactly_InPostgresTypes()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = await mysql.CreateDatabaseAsync(ct);
        await source.ExecuteAsync(MySqlSourceTests.TypesSql);
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              db: { type: mysql, url: "{{source.Url}}", zero_dates: null }
            pipelines:
              sync: { source: db, tables: [t], schema: raw, mode: replace, keys: true }
            """);

        var summary = await harness.RunAsync();
        summary.Succeeded.ShouldBeTrue(string.Join("\n", summary.Streams.Select(s => s.Error)));

        await using var connection = new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(ct);
        async Task<object?> Value(string sql)
        {
            await using var command = new NpgsqlCommand("SET TimeZone = 'UTC'; " + sql, connection);
            var value = await command.ExecuteScalarAsync(ct);
            return value is DBNull ? null : value;
        }

        (await Value("select biu::text from raw.t where id = 1")).ShouldBe("18446744073709551615");
        (await Value("select iu from raw.t where id = 1")).ShouldBe(4294967295L);
        (await Value("select tiu from raw.t where id = 1")).ShouldBe((short)255);
        (await Value("select bi from raw.t where id = 2")).ShouldBe(long.MinValue);
        (await Value("select b from raw.t where id = 1")).ShouldBe(true);
        (await Value("select d::text from raw.t where id = 2")).ShouldBe("-9999999999999999999999999999.9999999999");
        (await Value("select d30::text from raw.t where id = 1")).ShouldBe("0.000000000000000000000000000001");
        (await Value("select f from raw.t where id = 1")).ShouldBe(1.2345678f);
        (await Value("select db from raw.t where id = 1")).ShouldBe(1.7976931348623157e308);
        (await Value("select bit64::text from raw.t where id = 1")).ShouldBe("18446744073709551615");
        (await Value("select dt::text from raw.t where id = 1")).ShouldBe("9999-12-31");
        (await Value("select dtt::text from raw.t where id = 1")).ShouldBe("9999-12-31 23:59:59.999999");
        (await Value("select ts::text from raw.t where id = 1")).ShouldBe("2038-01-19 03:14:07.999999+00");
        (await Value("select dt from raw.t where id = 2")).ShouldBeNull();
        (await Value("select tm::text from raw.t where id = 1")).ShouldBe("838:59:59");
        (await Value("select tm::text from raw.t where id = 2")).ShouldBe("-838:59:59");
        (await Value("select y from raw.t where id = 1")).ShouldBe((short)2155);
        (await Value("select vc from raw.t where id = 1")).ShouldBe("😀 emoji");
        (await Value("select l1 from raw.t where id = 1")).ShouldBe("café ñ");
        (await Value("select bn from raw.t where id = 1")).ShouldBe(new byte[] { 0, 255, 16, 0 });
        (await Value("select j->'a'->>1 from raw.t where id = 1")).ShouldBe("2");
        (await Value("select pg_typeof(j)::text from raw.t where id = 1")).ShouldBe("jsonb");
        (await Value("select g from raw.t where id = 1")).ShouldBe("POINT(1 2)");
        (await Value("select e || s from raw.t where id = 1")).ShouldBe("happya,c");
        (await Value("select count(*) from pg_constraint where contype = 'p' and conrelid = 'raw.t'::regclass")).ShouldBe(1L);
    }
}
