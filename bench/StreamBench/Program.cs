using System.Diagnostics;
using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

// The messages: {"id": n, "sensor": "s<n % 100>", "value": n.5, "at": "2024-01-01T00:00:00Z"}, about 70 bytes.
static byte[] Message(long n) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
    $$"""{"id": {{n}}, "sensor": "s{{n % 100}}", "value": {{n}}.5, "at": "2024-01-01T00:00:00Z"}"""));

static NatsConnection Nats(string url)
{
    var uri = new Uri(url);
    var user = uri.UserInfo.Split(':');
    return new NatsConnection(NatsOpts.Default with
    {
        Url = uri.GetLeftPart(UriPartial.Authority),
        AuthOpts = NatsAuthOpts.Default with { Username = user[0], Password = user.Length > 1 ? user[1] : null },
    });
}

static async Task<int> PublishRabbitAsync(string url, string queue, long count)
{
    await using var connection = await new ConnectionFactory { Uri = new Uri(url) }.CreateConnectionAsync();
    await using var channel = await connection.CreateChannelAsync();
    await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
    await channel.QueuePurgeAsync(queue);
    for (long n = 1; n <= count; n++)
    {
        await channel.BasicPublishAsync("", queue, Message(n));
    }

    // Published without confirms (fast); ready when the queue holds them all.
    while ((await channel.QueueDeclarePassiveAsync(queue)).MessageCount < count)
    {
        await Task.Delay(200);
    }

    return 0;
}

static async Task<int> PublishNatsAsync(string url, string stream, long count)
{
    await using var nats = Nats(url);
    var js = new NatsJSContext(nats);
    try
    {
        await js.DeleteStreamAsync(stream);
    }
    catch (NatsJSApiException)
    {
        // Not there yet.
    }

    await js.CreateStreamAsync(new StreamConfig(stream, [$"{stream}.>"]));
    for (long n = 1; n <= count; n++)
    {
        await nats.PublishAsync($"{stream}.readings", Message(n));
    }

    while ((long)(await js.GetStreamAsync(stream)).Info.State.Messages < count)
    {
        await Task.Delay(200);
    }

    return 0;
}

// The bare consumer: receive, count, acknowledge (one multiple ack per batch); ends after 2 s without a message once the queue is empty.
static async Task<int> ConsumeRabbitAsync(string url, string queue, int batch)
{
    await using var connection = await new ConnectionFactory { Uri = new Uri(url) }.CreateConnectionAsync();
    await using var channel = await connection.CreateChannelAsync();
    await channel.BasicQosAsync(0, (ushort)Math.Min(batch, ushort.MaxValue), false);
    long received = 0;
    var last = Stopwatch.StartNew();
    var consumer = new AsyncEventingBasicConsumer(channel);
    consumer.ReceivedAsync += async (_, delivery) =>
    {
        _ = delivery.Body.Length;
        last.Restart();
        if (Interlocked.Increment(ref received) % batch == 0)
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: true);
        }
    };
    await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
    while (true)
    {
        while (last.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(50);
        }

        // As Wharf does: 2 s without a message ends the run only when the broker holds nothing more
        // (a 1M-message queue pages from disk, and deliveries can pause for seconds).
        if ((await channel.QueueDeclarePassiveAsync(queue)).MessageCount == 0)
        {
            break;
        }

        last.Restart();
    }

    Console.WriteLine(received);
    return 0;
}

static async Task<int> ConsumeNatsAsync(string url, string stream, int batch)
{
    await using var nats = Nats(url);
    var js = new NatsJSContext(nats);
    var consumer = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig("bare") { AckPolicy = ConsumerConfigAckPolicy.Explicit, MaxAckPending = batch });
    long received = 0;
    while (true)
    {
        var got = 0;
        await foreach (var message in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = batch, Expires = TimeSpan.FromSeconds(2) }))
        {
            await message.AckAsync();
            got++;
        }

        received += got;
        if (got == 0)
        {
            break;
        }
    }

    await nats.PingAsync();
    Console.WriteLine(received);
    return 0;
}

return args switch
{
    ["publish-rabbitmq", var url, var queue, var count] => await PublishRabbitAsync(url, queue, long.Parse(count, CultureInfo.InvariantCulture)),
    ["publish-nats", var url, var stream, var count] => await PublishNatsAsync(url, stream, long.Parse(count, CultureInfo.InvariantCulture)),
    ["consume-rabbitmq", var url, var queue, var batch] => await ConsumeRabbitAsync(url, queue, int.Parse(batch, CultureInfo.InvariantCulture)),
    ["consume-nats", var url, var stream, var batch] => await ConsumeNatsAsync(url, stream, int.Parse(batch, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: StreamBench publish-rabbitmq URL QUEUE N | publish-nats URL STREAM N | consume-rabbitmq URL QUEUE BATCH | consume-nats URL STREAM BATCH");
    return 2;
}
