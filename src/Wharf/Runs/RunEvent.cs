namespace Wharf.Runs;

/// <summary>What a run reports while it works; the CLI draws progress from these.</summary>
public abstract record RunEvent(string Pipeline, string Stream);

/// <summary>A stream starts; <paramref name="Bytes"/> is the size of what it reads, when known.</summary>
public sealed record StreamStarted(string Pipeline, string Stream, string Description, long? Bytes) : RunEvent(Pipeline, Stream)
{
    /// <summary>The run's id, as its <see cref="RunRecord"/> will have it.</summary>
    public string? RunId { get; init; }

    /// <summary>The warehouse table the stream loads, <c>schema.table</c>.</summary>
    public string? Target { get; init; }
}

/// <summary>
/// DuckDB's estimate of the fraction of the extract done (0–100, or -1 when unknown). Rows are
/// reported only when the stream finishes: DuckDB's running row counter counts rows once per
/// operator, so it is not the number of rows read.
/// </summary>
public sealed record StreamProgressed(string Pipeline, string Stream, double Percentage, TimeSpan Elapsed) : RunEvent(Pipeline, Stream);

public sealed record StreamPhase(string Pipeline, string Stream, string Phase) : RunEvent(Pipeline, Stream);

public sealed record StreamFinished(RunRecord Record) : RunEvent(Record.Pipeline, Record.Stream);
