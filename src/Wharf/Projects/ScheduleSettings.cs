using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>One entry of <c>schedules:</c> in wharf.yml: when to run which pipelines, and what to build after.</summary>
/// <param name="Name">The key under <c>schedules:</c>.</param>
/// <param name="Pipelines">The pipelines to run, in order (<c>run:</c>).</param>
internal sealed record ScheduleSettings(string Name, ImmutableArray<string> Pipelines)
{
    /// <summary>A cron expression (five fields, or six with seconds first), or null.</summary>
    public string? Cron { get; init; }

    /// <summary>The zone <see cref="Cron"/> is read in.</summary>
    /// <value>UTC.</value>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>A fixed interval (<c>every: 10m</c>), or null.</summary>
    public TimeSpan? Every { get; init; }

    /// <summary>A file-arrival trigger (<c>on_new_files:</c>), or null.</summary>
    public FileTrigger? OnNewFiles { get; init; }

    /// <summary>Model selectors to build after every pipeline succeeded (<c>then: [build: "tag:marts"]</c>).</summary>
    public ImmutableArray<string> ThenBuild { get; init; } = [];

    /// <summary>What to do with occurrences missed while the server was down.</summary>
    /// <value><see cref="CatchUp.Latest"/>: run once.</value>
    public CatchUp CatchUp { get; init; } = CatchUp.Latest;

    /// <summary>How many times a run that failed for a transient reason is tried again.</summary>
    /// <value>0.</value>
    public int Retries { get; init; }

    /// <summary>How long to wait before each retry.</summary>
    /// <value>One minute.</value>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Where the schedule is declared.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>How the schedule fires, for logs and pages: <c>cron 0 * * * * (Europe/Lisbon)</c>, <c>every 10m</c>, <c>new files landing:incoming/*.csv</c>.</summary>
    public string Trigger => Cron is not null ? $"cron {Cron} ({TimeZone.Id})"
        : Every is { } every ? $"every {every}"
        : OnNewFiles is { } files ? $"new files {files.Connection}:{files.Files}"
        : "manual";
}

/// <summary>A run when files matching <see cref="Files"/> under the <c>files</c> connection appear or change.</summary>
internal sealed record FileTrigger(string Connection, string Files)
{
    /// <summary>How often the folder is looked at.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan PollEvery { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What a schedule does about occurrences it missed while the server was not running.</summary>
internal enum CatchUp
{
    /// <summary>Run once for all of them.</summary>
    Latest,

    /// <summary>Skip them; wait for the next occurrence.</summary>
    None,
}
