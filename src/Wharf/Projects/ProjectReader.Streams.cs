using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>The keys of message broker connections (<c>rabbitmq</c>, <c>nats</c>) and of the pipelines that consume them.</summary>
internal sealed partial class ProjectReader
{
    private static readonly string[] StreamPipelineKeys =
        ["source", "queue", "stream", "subject", "durable", "format", "table", "schema", "mode", "primary_key", "batch", "idle_timeout", "max_messages", "ack_wait", "max_deliver"];

    /// <summary>Whether a connection type is a message broker.</summary>
    internal static bool IsBroker(string type) => type is "rabbitmq" or "nats";

    /// <summary>The pipeline's <c>source:</c> when it names a broker connection (its keys are not those of other pipelines).</summary>
    private static ConnectionSettings? BrokerSourceOf(YamlNode pipeline, ImmutableArray<ConnectionSettings> connections) =>
        pipeline is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("source"), out var source)
            && source is YamlScalarNode { Value: { } name } ? connections.FirstOrDefault(c => c.Name == name && IsBroker(c.Type)) : null;

    private void CheckBroker(ConnectionSettings settings, YamlMap connection, YamlNode value, string name)
    {
        var (schemes, example) = settings.Type == "rabbitmq"
            ? (new[] { "amqp", "amqps" }, "amqp://user:${MQ_PASSWORD}@host:5672/vhost")
            : (new[] { "nats", "tls" }, "nats://host:4222");
        var url = settings.Url ?? throw Error(value, $"connection '{name}' needs 'url:' (e.g. {example}).");
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0 || !schemes.Contains(url[..separator], StringComparer.OrdinalIgnoreCase))
        {
            throw Error(connection.Get("url")!, $"the url of connection '{name}' must start with {string.Join(" or ", schemes.Select(s => s + "://"))} (e.g. {example}), not '{ConnectionUrl.Redact(url)}'.");
        }

        // Checked now, so a URL without a host or with a bad port names its line in wharf.yml.
        _ = DatabaseUrl.Parse(url, settings, url[..separator].ToLowerInvariant());

        if (settings.ManagementUrl is { } management && !(Uri.TryCreate(management, UriKind.Absolute, out var api) && api.Scheme is "http" or "https"))
        {
            throw Error(connection.Get("management_url")!, $"the management_url of connection '{name}' must be an http:// or https:// URL (e.g. http://host:15672), not '{ConnectionUrl.Redact(management)}'.");
        }

        if (settings.Credentials is { } credentials && !File.Exists(credentials))
        {
            throw Error(connection.Get("credentials")!, $"the credentials file {credentials} of connection '{name}' does not exist.");
        }
    }

    /// <summary>A pipeline of a <c>rabbitmq</c> or <c>nats</c> connection.</summary>
    private PipelineSettings ReadStreamPipeline(string name, YamlNode value, ConnectionSettings connection)
    {
        var context = $"pipeline '{name}'";
        var pipeline = new YamlMap(value, this, context, [.. StreamPipelineKeys.Union(RuleKeys).Concat(ServeKeys)]);
        var rabbit = connection.Type == "rabbitmq";
        pipeline.RejectKeys(rabbit ? ["stream", "subject", "durable", "ack_wait"] : ["queue"],
            rabbit ? $"applies to nats connections, and '{connection.Name}' is a rabbitmq connection" : $"applies to rabbitmq connections, and '{connection.Name}' is a nats connection");
        var queue = pipeline.String("queue");
        var stream = pipeline.String("stream");
        if (rabbit && queue is null)
        {
            throw Error(value, $"{context} needs 'queue:' (the RabbitMQ queue to consume).");
        }

        if (!rabbit && stream is null)
        {
            throw Error(value, $"{context} needs 'stream:' (the JetStream stream to consume, e.g. SENSORS).");
        }

        var mode = pipeline.Enum("mode", WriteMode.Merge);
        if (mode is WriteMode.Append or WriteMode.Replace)
        {
            throw Error(pipeline.Get("mode")!, $"{context}: messages are loaded exactly once by merging on their identity, so mode must be merge (the default) or scd2, not {mode.ToString().ToLowerInvariant()}.");
        }

        var primaryKey = pipeline.StringList("primary_key");
        if (mode == WriteMode.Scd2 && primaryKey.IsEmpty)
        {
            throw Error(pipeline.Get("mode")!, $"{context} uses mode: scd2, which keeps the history of a key; add 'primary_key:' (a field of the messages).");
        }

        var batch = pipeline.Map("batch", ["max_messages", "max_wait"]);
        var settings = new MessageStreamSettings
        {
            Queue = queue,
            Stream = stream,
            Subject = pipeline.String("subject"),
            Durable = pipeline.String("durable") ?? $"wharf_{name}",
            Format = pipeline.Enum("format", MessageFormat.Json),
            BatchMessages = Positive(batch, "max_messages", context) is { } batchMessages ? (int)Math.Min(batchMessages, int.MaxValue) : 10_000,
            BatchWait = batch is null ? TimeSpan.FromSeconds(5) : Duration(batch, "max_wait", context) ?? TimeSpan.FromSeconds(5),
            IdleTimeout = Duration(pipeline, "idle_timeout", context) ?? TimeSpan.FromSeconds(2),
            MaxMessages = Positive(pipeline, "max_messages", context),
            AckWait = Duration(pipeline, "ack_wait", context) ?? TimeSpan.FromMinutes(5),
            MaxDeliver = Positive(pipeline, "max_deliver", context) is { } deliver ? (int)Math.Min(deliver, int.MaxValue) : null,
        };
        return new PipelineSettings
        {
            Name = name,
            Source = connection.Name,
            Stream = settings,
            Table = pipeline.Get("table") is { } tableNode ? RequireIdentifier(tableNode, Scalar(tableNode, "'table'"), "table name") : name,
            Schema = pipeline.Get("schema") is { } schemaNode ? RequireIdentifier(schemaNode, Scalar(schemaNode, "'schema'"), "schema name") : "main",
            Mode = mode,
            PrimaryKey = primaryKey.IsEmpty ? [MessageStreamSettings.MessageIdColumn] : primaryKey,
            Rules = settings.Format == MessageFormat.Json ? Unreadable(ReadRules(pipeline, context), Location(value)) : ReadRules(pipeline, context),
            Location = Location(value),
        };
    }

    /// <summary>
    /// With <c>on_check_failure: quarantine</c>, a message whose payload is not JSON is spooled with
    /// its text and the reason (<c>_payload</c>, <c>_payload_error</c>): a check sets it apart into
    /// the quarantine table, and the two columns are left out of the table itself.
    /// </summary>
    private static TableRules Unreadable(TableRules rules, SourceLocation location)
    {
        if (rules.OnCheckFailure != CheckFailure.Quarantine)
        {
            return rules;
        }

        var check = new CheckSettings(CheckKind.Expression, "payload_is_json", location) { Sql = "_payload_error IS NULL" };
        var exclude = new ProcessorSettings(ProcessorKind.Exclude, 0, location) { Columns = ["_payload", "_payload_error"] };
        return rules with { Checks = [check, .. rules.Checks], Transform = [exclude, .. rules.Transform] };
    }

    private long? Positive(YamlMap? map, string key, string context)
    {
        if (map?.Get(key) is not { } node)
        {
            return null;
        }

        var text = Scalar(node, $"'{key}' of {context}");
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0 ? number
            : throw Error(node, $"'{key}' of {context} must be a whole number above 0, not '{text}'.");
    }
}
