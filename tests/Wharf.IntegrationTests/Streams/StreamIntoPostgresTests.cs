using Npgsql;
using Wharf.IntegrationTests.Postgres;
using Wharf.IntegrationTests.Sources;

namespace Wharf.IntegrationTests.Streams;

/// <summary>A NATS stream and a RabbitMQ queue into a PostgreSQL warehouse: the same columns in PostgreSQL's types, batch by batch, across runs.</summary>
public sealed class StreamIntoPostgresTests(NatsServer nats, RabbitMqServer rabbit, PostgresServer postgres) : IDisposable
{
    private readonly PipelineHarness harness = new();

    public void Dispose() => harness.Dispose();

    [Fact]
    public async Task BothBrokers_LoadEveryMessageOnce_InPostgresTypes()
    {
        var ct = TestContext.Current.CancellationToken;
        var warehouse = await postgres.CreateDatabaseAsync(ct);
        var (stream, prefix) = await nats.CreateStreamAsync();
        await nats.PublishAsync(Published.NatsOrders(prefix, 25));
        var queue = await rabbit.CreateQueueAsync();
        await rabbit.PublishAsync(queue, Enumerable.Range(1, 7).Select(i => Published.Raw($"line {i}")));
        harness.WithProject($$"""
            warehouse: "{{warehouse.Url}}"
            connections:
              bus: { type: nats, url: "{{nats.Url}}" }
              mq: { type: rabbitmq, url: "{{rabbit.Url}}" }
            pipelines:
              readings: { source: bus, stream: {{stream}}, schema: raw, batch: { max_messages: 10 }, idle_timeout: 1s }
              lines: { source: mq, queue: {{queue}}, format: text, schema: raw, batch: { max_messages: 3 }, idle_timeout: 1s }
            """);

        var first = await harness.RunAsync();
        first.Succeeded.ShouldBeTrue(string.Join("\n", first.Streams.Select(s => s.Error)));
        await nats.PublishAsync(Published.NatsOrders(prefix, 30).Skip(25));
        var second = await harness.RunAsync();
        second.Succeeded.ShouldBeTrue(string.Join("\n", second.Streams.Select(s => s.Error)));

        await using var connection = new NpgsqlConnection(warehouse.ConnectionString);
        await connection.OpenAsync(ct);
        async Task<object?> Value(string sql)
        {
            await using var command = new NpgsqlCommand("SET TimeZone = 'UTC'; " + sql, connection);
            var value = await command.ExecuteScalarAsync(ct);
            return value is DBNull ? null : value;
        }

        (await Value("select count(*) from raw.readings")).ShouldBe(30L);
        (await Value("select sum(_message_id) from raw.readings")).ShouldBe((decimal)Published.SumTo(30));
        (await Value("select customer__name from raw.readings where _message_id = 7")).ShouldBe("c7");
        (await Value("select amount from raw.readings where _message_id = 7")).ShouldBe(7.25);
        (await Value("select _subject from raw.readings where _message_id = 7")).ShouldBe($"{prefix}.orders.1");
        (await Value("select string_agg(column_name || ' ' || data_type, ', ' order by column_name) from information_schema.columns where table_name = 'readings' and column_name like '\\_%' and column_name not like '\\_wharf%'"))
            .ShouldBe("_headers text, _message_id bigint, _redelivered boolean, _subject text, _timestamp timestamp with time zone");
        (await Value("select string_agg(payload, ',' order by payload) from raw.lines")).ShouldBe("line 1,line 2,line 3,line 4,line 5,line 6,line 7");
        (await Value("select count(*) from raw.lines where _message_id like 'sha256:%'")).ShouldBe(7L);
        (await rabbit.CountAsync(queue)).ShouldBe(0u);
        (await nats.ConsumerStateAsync(stream, "wharf_readings")).ShouldBe((0ul, 0L));
    }
}
