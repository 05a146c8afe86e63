namespace Wharf.Runs;

/// <summary>Another run of the pipeline holds its lock (past the wait); the message names who holds it.</summary>
internal sealed class PipelineLockedException(string pipeline, string holder, string message, Exception? innerException = null) : WharfException(message, innerException)
{
    public string Pipeline { get; } = pipeline;

    /// <summary>Who holds the lock, as far as is known.</summary>
    public string Holder { get; } = holder;

    /// <summary>The other run will end: waiting (<c>--wait</c>) or trying later can succeed.</summary>
    public override bool IsTransient => true;
}
