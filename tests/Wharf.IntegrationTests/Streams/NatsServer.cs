using System.Collections.Concurrent;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Wharf.IntegrationTests.Streams;

/// <summary>
/// The real NATS server (with JetStream) the stream tests run against: the one scripts/test.sh
/// starts (scripts/nats.sh), or any named by <c>WHARF_TEST_NATS_URL</c>. Without it the tests fail
/// under <c>CI=true</c> and are skipped elsewhere. Each test makes its own streams.
/// </summary>
public sealed class NatsServer : IAsyncLifetime
{
    public const string Variable = "WHARF_TEST_NATS_URL";

    public const string MissingMessage =
        "WHARF_TEST_NATS_URL is not set: run the tests through ./scripts/test.sh, which starts nats-server -js " +
        "(or start one with `eval \"$(scripts/nats.sh start)\"`)";

    private readonly ConcurrentQueue<string> created = new();
    private NatsConnection? connection;
    private string? url;

    public async ValueTask InitializeAsync()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        var uri = new Uri(value);
        var user = uri.UserInfo.Split(':');
        connection = new NatsConnection(NatsOpts.Default with
        {
            Url = uri.GetLeftPart(UriPartial.Authority),
            AuthOpts = NatsAuthOpts.Default with { Username = Uri.UnescapeDataString(user[0]), Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null },
        });
        try
        {
            await connection.ConnectAsync();
        }
        catch (NatsException e)
        {
            throw new InvalidOperationException($"Cannot connect to the NATS server in {Variable}: {e.Message}. Run the tests through ./scripts/test.sh, which starts one.", e);
        }

        url = value;
    }

    /// <summary>The server's <c>nats://</c> URL (with the password), or the test stops: failed under CI=true, skipped elsewhere.</summary>
    public string Url => Require().Url;

    private NatsJSContext JetStream => new(Require().Connection);

    private (NatsConnection Connection, string Url) Require()
    {
        if (connection is not null && url is not null)
        {
            return (connection, url);
        }

        throw TestServers.Missing(MissingMessage, "NATS");
    }

    /// <summary>A new stream of its own name over subjects <c>&lt;prefix&gt;.&gt;</c>; returns the stream's name and the prefix.</summary>
    public async Task<(string Stream, string Prefix)> CreateStreamAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var name = $"S_{id}";
        var prefix = $"t{id}";
        await JetStream.CreateStreamAsync(new StreamConfig(name, [$"{prefix}.>"]), TestContext.Current.CancellationToken);
        created.Enqueue(name);
        return (name, prefix);
    }

    /// <summary>Publishes each message and waits for JetStream to store it.</summary>
    public async Task PublishAsync(IEnumerable<(string Subject, byte[] Body, NatsHeaders? Headers)> messages)
    {
        var js = JetStream;
        foreach (var (subject, body, headers) in messages)
        {
            var ack = await js.PublishAsync(subject, body, headers: headers, cancellationToken: TestContext.Current.CancellationToken);
            ack.EnsureSuccess();
        }
    }

    /// <summary>The durable consumer's messages not yet delivered, and delivered but not acknowledged.</summary>
    public async Task<(ulong Pending, long AckPending)> ConsumerStateAsync(string stream, string durable)
    {
        var consumer = await JetStream.GetConsumerAsync(stream, durable, TestContext.Current.CancellationToken);
        return (consumer.Info.NumPending, consumer.Info.NumAckPending);
    }

    public async ValueTask DisposeAsync()
    {
        if (connection is null)
        {
            return;
        }

        var js = new NatsJSContext(connection);
        while (created.TryDequeue(out var name))
        {
            try
            {
                await js.DeleteStreamAsync(name);
            }
            catch (NatsJSException)
            {
                // Best effort: the throwaway server goes with its folder anyway.
            }
        }

        await connection.DisposeAsync();
    }
}
