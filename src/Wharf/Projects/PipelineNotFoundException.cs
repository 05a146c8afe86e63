namespace Wharf.Projects;

/// <summary>A pipeline was asked for by a name the project does not have.</summary>
internal sealed class PipelineNotFoundException(string pipeline, string message) : WharfException(message)
{
    public string Pipeline { get; } = pipeline;
}
