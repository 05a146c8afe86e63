namespace Wharf.Runs;

/// <summary>What a run reports while it works; the CLI draws progress from these.</summary>
public abstract record RunEvent(string Pipeline, string Stream);

public sealed record StreamStarted(string Pipeline, string Stream, string Description) : RunEvent(Pipeline, Stream);

/// <summary>Rows read so far, and DuckDB's estimate of the fraction done (-1 when unknown).</summary>
public sealed record StreamProgressed(string Pipeline, string Stream, long Rows, double Percentage, TimeSpan Elapsed) : RunEvent(Pipeline, Stream);

public sealed record StreamPhase(string Pipeline, string Stream, string Phase) : RunEvent(Pipeline, Stream);

public sealed record StreamFinished(RunRecord Record) : RunEvent(Record.Pipeline, Record.Stream);
