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
/// <remarks>Reported only to a progress that implements <see cref="IDrawsPercentages"/>.</remarks>
public sealed record StreamProgressed(string Pipeline, string Stream, double Percentage, TimeSpan Elapsed) : RunEvent(Pipeline, Stream);

/// <summary>
/// A progress that draws <see cref="StreamProgressed"/> (the CLI's live line on a terminal). Only
/// for one does a run have DuckDB track its extracts' progress, which costs 1.5–3% of a run's time.
/// </summary>
public interface IDrawsPercentages : IProgress<RunEvent>;

public sealed record StreamPhase(string Pipeline, string Stream, string Phase) : RunEvent(Pipeline, Stream);

public sealed record StreamFinished(RunRecord Record) : RunEvent(Record.Pipeline, Record.Stream);
