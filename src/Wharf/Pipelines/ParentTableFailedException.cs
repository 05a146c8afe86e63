namespace Wharf.Pipelines;

/// <summary>A child table of nested JSON that was not loaded because its parent table's load failed.</summary>
internal sealed class ParentTableFailedException(string message) : WharfException(message);
