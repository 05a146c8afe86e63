namespace Wharf.Pipelines;

/// <summary>A pipeline's settings do not fit what its source has (a rule for a table it lacks, deletes without a key); nothing was loaded.</summary>
internal sealed class StreamSettingsException(string pipeline, string stream, string message) : WharfException(message)
{
    public string Pipeline { get; } = pipeline;

    /// <summary>The stream concerned; the pipeline's table when the problem is the pipeline's.</summary>
    public string Stream { get; } = stream;
}

/// <summary>A cursor stream failed after some of its chunks had committed: those stay, and the next run resumes after them.</summary>
internal sealed class PartlyCommittedException(string pipeline, string stream, long committedRows, string message, Exception innerException)
    : WharfException(message, innerException)
{
    public string Pipeline { get; } = pipeline;

    public string Stream { get; } = stream;

    /// <summary>Rows of the chunks committed before the failure.</summary>
    public long CommittedRows { get; } = committedRows;
}
