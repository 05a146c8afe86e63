namespace Wharf.Pipelines;

/// <summary><c>wharf replay</c> cannot rebuild a pipeline's tables: nothing to replay, or a lake file it needs is gone.</summary>
internal sealed class ReplayException(string pipeline, string message) : WharfException(message)
{
    public string Pipeline { get; } = pipeline;
}
