using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>One entry of <c>alerts:</c> in wharf.yml: which events of <c>wharf serve</c> go to which webhook, in what format.</summary>
/// <param name="Name">The key under <c>alerts:</c>.</param>
/// <param name="Webhook">Where to POST. Slack and Teams webhook URLs are secrets: never print it.</param>
internal sealed record AlertSettings(string Name, Uri Webhook)
{
    /// <summary>The events a route can take.</summary>
    public static readonly ImmutableArray<string> EventNames = ["run_failed", "run_recovered", "check_failed", "freshness_breached", "deviation"];

    /// <summary>The body's shape: <c>json</c> (Wharf's own), <c>slack</c> or <c>teams</c>.</summary>
    /// <value>json.</value>
    public AlertFormat Format { get; init; } = AlertFormat.Json;

    /// <summary>The events routed here; all of <see cref="EventNames"/> when not given.</summary>
    public ImmutableArray<string> Events { get; init; } = EventNames;

    /// <summary>Only these pipelines' events; empty for all.</summary>
    public ImmutableArray<string> Pipelines { get; init; } = [];

    /// <summary>After an alert, the same event of the same pipeline is not sent again for this long.</summary>
    /// <value>15 minutes.</value>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How many more times a webhook that failed (network error, 5xx, 429) is tried.</summary>
    /// <value>3.</value>
    public int Retries { get; init; } = 3;

    /// <summary>Hides the webhook URL from <see cref="object.ToString"/>.</summary>
    public override string ToString() => $"alert {Name} ({Format.ToString().ToLowerInvariant()} to {Webhook.Host})";
}

/// <summary>The body of an alert webhook.</summary>
internal enum AlertFormat
{
    Json,
    Slack,
    Teams,
}
