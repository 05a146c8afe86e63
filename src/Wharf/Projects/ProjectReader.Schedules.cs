using System.Collections.Immutable;
using System.Globalization;
using Cronos;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>The parts of wharf.yml that only <c>wharf serve</c> uses: <c>schedules:</c>, <c>server:</c> and pipelines' <c>freshness:</c> and <c>deviation:</c>.</summary>
internal sealed partial class ProjectReader
{
    private static readonly string[] ScheduleKeys = ["cron", "timezone", "every", "on_new_files", "run", "then", "catch_up", "retries", "retry_delay"];
    private static readonly string[] TriggerKeys = ["cron", "every", "on_new_files"];
    private static readonly string[] FileTriggerKeys = ["connection", "files", "poll"];
    private static readonly string[] ServerKeys = ["auth", "open_metrics"];
    private static readonly string[] AuthKeys = ["token"];
    private static readonly string[] AlertKeys = ["webhook", "format", "on", "pipelines", "cooldown", "retries"];

    private ImmutableArray<ScheduleSettings> ReadSchedules(YamlMap? map, ImmutableArray<PipelineSettings> pipelines, ImmutableArray<ConnectionSettings> connections)
    {
        if (map is null)
        {
            return [];
        }

        var schedules = ImmutableArray.CreateBuilder<ScheduleSettings>();
        foreach (var (name, keyNode, value) in map.Entries)
        {
            RequireIdentifier(keyNode, name, "schedule name");
            var context = $"schedule '{name}'";
            var entry = new YamlMap(value, this, context, ScheduleKeys);
            var run = entry.StringList("run");
            if (run.IsEmpty)
            {
                throw Error(value, $"{context} needs 'run:' (the pipelines to run, e.g. run: [{pipelines.FirstOrDefault()?.Name ?? "shop_sync"}]).");
            }

            foreach (var pipeline in run.Where(p => pipelines.All(known => known.Name != p)))
            {
                throw Error(entry.Get("run")!, $"{context} runs '{pipeline}', but there is no such pipeline. Pipelines: {string.Join(", ", pipelines.Select(p => p.Name))}.");
            }

            var triggers = TriggerKeys.Where(k => entry.Get(k) is not null).ToList();
            if (triggers.Count != 1)
            {
                throw Error(value, triggers.Count == 0
                    ? $"{context} needs one trigger: 'cron:' (e.g. \"0 * * * *\"), 'every:' (e.g. 10m) or 'on_new_files:' ({{ connection, files }})."
                    : $"{context} has {string.Join(" and ", triggers)}; give exactly one trigger.");
            }

            schedules.Add(new ScheduleSettings(name, run)
            {
                Cron = Cron(entry, context),
                TimeZone = Zone(entry, context),
                Every = Duration(entry, "every", context),
                OnNewFiles = FileTrigger(entry, context, connections),
                ThenBuild = ThenBuild(entry, context),
                CatchUp = entry.Enum("catch_up", CatchUp.Latest),
                Retries = entry.Int("retries") ?? 0,
                RetryDelay = Duration(entry, "retry_delay", context) ?? TimeSpan.FromMinutes(1),
                Location = new SourceLocation(file, (int)value.Start.Line, (int)value.Start.Column),
            });
        }

        return schedules.ToImmutable();
    }

    private string? Cron(YamlMap entry, string context)
    {
        if (entry.String("cron") is not { } text)
        {
            return null;
        }

        try
        {
            // Six fields means seconds first, as Cronos reads it.
            CronExpression.Parse(text, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return text;
        }
        catch (CronFormatException ex)
        {
            throw Error(entry.Get("cron")!, $"'cron' of {context} is not a cron expression Wharf can read ({ex.Message}). Use five fields (minute hour day month weekday, e.g. \"0 * * * *\") or six with seconds first.");
        }
    }

    private TimeZoneInfo Zone(YamlMap entry, string context)
    {
        if (entry.String("timezone") is not { } id)
        {
            return TimeZoneInfo.Utc;
        }

        if (entry.Get("cron") is null)
        {
            throw Error(entry.Get("timezone")!, $"'timezone' of {context} only applies to 'cron:'.");
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
            : throw Error(entry.Get("timezone")!, $"'timezone' of {context} is '{id}', which this machine does not know. Use an IANA name such as Europe/Lisbon or UTC.");
    }

    private FileTrigger? FileTrigger(YamlMap entry, string context, ImmutableArray<ConnectionSettings> connections)
    {
        if (entry.Map("on_new_files", FileTriggerKeys) is not { } trigger)
        {
            return null;
        }

        var connection = trigger.RequiredString("connection");
        if (connections.FirstOrDefault(c => c.Name == connection) is not { Type: "files" })
        {
            throw Error(trigger.Get("connection")!, $"'on_new_files' of {context} watches connection '{connection}', which is not a 'files' connection. Files connections: {string.Join(", ", connections.Where(c => c.Type == "files").Select(c => c.Name))}.");
        }

        return new FileTrigger(connection, trigger.RequiredString("files"))
        {
            PollEvery = Duration(trigger, "poll", $"'on_new_files' of {context}") ?? TimeSpan.FromSeconds(30),
        };
    }

    private ImmutableArray<string> ThenBuild(YamlMap entry, string context)
    {
        if (entry.Get("then") is not { } node)
        {
            return [];
        }

        var steps = node as YamlSequenceNode ?? throw Error(node, $"'then' of {context} must be a list of steps, e.g. then: [build: \"tag:marts\"].");
        var selectors = ImmutableArray.CreateBuilder<string>();
        foreach (var step in steps)
        {
            var map = new YamlMap(step, this, $"a step of 'then' in {context}", ["build"]);
            selectors.AddRange(map.StringList("build") is { IsEmpty: false } build ? build
                : throw Error(step, $"a step of 'then' in {context} needs 'build:' with a model selector, e.g. build: \"tag:marts\"."));
        }

        return selectors.ToImmutable();
    }

    private ServerSettings ReadServer(YamlMap? map)
    {
        if (map is null)
        {
            return new ServerSettings();
        }

        var auth = map.Map("auth", AuthKeys);
        var token = auth?.String("token");
        if (auth is not null && string.IsNullOrWhiteSpace(token))
        {
            throw Error(auth.Node, "'auth' in 'server' needs 'token:' (e.g. token: ${WHARF_TOKEN}, from the environment or .env).");
        }

        if (token is { Length: < 16 })
        {
            throw Error(auth!.Get("token")!, "the server token is shorter than 16 characters; use a long random one (e.g. openssl rand -hex 32).");
        }

        return new ServerSettings { Token = token, OpenMetrics = map.Bool("open_metrics") ?? true };
    }

    private ImmutableArray<AlertSettings> ReadAlerts(YamlMap? map, ImmutableArray<PipelineSettings> pipelines)
    {
        if (map is null)
        {
            return [];
        }

        var alerts = ImmutableArray.CreateBuilder<AlertSettings>();
        foreach (var (name, keyNode, value) in map.Entries)
        {
            RequireIdentifier(keyNode, name, "alert name");
            var context = $"alert '{name}'";
            var entry = new YamlMap(value, this, context, AlertKeys);
            var url = entry.RequiredString("webhook");
            var webhook = AbsoluteHttpUrl(entry.Get("webhook")!, url, $"'webhook' of {context}");
            var events = entry.StringList("on");
            foreach (var unknown in events.Where(e => !AlertSettings.EventNames.Contains(e)))
            {
                throw Error(entry.Get("on")!, $"'on' of {context} lists '{unknown}', which is not an event. Events: {string.Join(", ", AlertSettings.EventNames)}.");
            }

            var only = entry.StringList("pipelines");
            foreach (var unknown in only.Where(p => pipelines.All(known => known.Name != p)))
            {
                throw Error(entry.Get("pipelines")!, $"'pipelines' of {context} names '{unknown}', but there is no such pipeline.");
            }

            alerts.Add(new AlertSettings(name, webhook)
            {
                Format = entry.Enum("format", AlertFormat.Json),
                Events = events.IsEmpty ? AlertSettings.EventNames : events,
                Pipelines = only,
                Cooldown = Duration(entry, "cooldown", context) ?? TimeSpan.FromMinutes(15),
                Retries = entry.Int("retries") ?? 3,
            });
        }

        return alerts.ToImmutable();
    }

    /// <summary>The keys of a pipeline that only <c>wharf serve</c> reads.</summary>
    private static readonly string[] ServeKeys = ["freshness", "deviation", "lake_retention"];

    private TimeSpan? Freshness(YamlNode pipeline, string name) =>
        Duration(new YamlMap(pipeline, this, $"pipeline '{name}'", keys: null), "freshness", $"pipeline '{name}'");

    /// <summary><c>deviation: { rows: 50%, duration: 200%, runs: 10, min_runs: 3 }</c>, or null.</summary>
    private DeviationSettings? Deviation(YamlNode pipeline, string name)
    {
        var context = $"'deviation' of pipeline '{name}'";
        if (new YamlMap(pipeline, this, $"pipeline '{name}'", keys: null).Map("deviation", ["rows", "duration", "runs", "min_runs"]) is not { } map)
        {
            return null;
        }

        var settings = new DeviationSettings
        {
            Rows = Percent(map, "rows", context),
            Duration = Percent(map, "duration", context),
            Runs = map.Int("runs") ?? 10,
            MinRuns = map.Int("min_runs") ?? 3,
        };
        return settings switch
        {
            { Rows: null, Duration: null } => throw Error(map.Node, $"{context} needs 'rows:' or 'duration:' (or both), e.g. rows: 50%."),
            { MinRuns: < 1 } or { Runs: < 1 } => throw Error(map.Node, $"{context}: 'runs' and 'min_runs' must be at least 1."),
            _ when settings.MinRuns > settings.Runs => throw Error(map.Node, $"{context}: 'min_runs' ({settings.MinRuns}) cannot be more than 'runs' ({settings.Runs})."),
            _ => settings,
        };
    }

    /// <summary><c>50%</c> as 0.5; a limit must be above 0%.</summary>
    private double? Percent(YamlMap map, string key, string context)
    {
        if (map.String(key) is not { } text)
        {
            return null;
        }

        var trimmed = text.Trim();
        return trimmed.EndsWith('%') && double.TryParse(trimmed[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) && percent > 0
            ? percent / 100
            : throw Error(map.Get(key)!, $"'{key}' of {context} must be a percentage above 0, such as 50%, not '{text}'.");
    }
}
