namespace Wharf.Lake;

/// <summary>A lake file or manifest is not as the lake's rules say (missing, empty, already there).</summary>
internal sealed class LakeException(string file, string message) : WharfException(message)
{
    /// <summary>The file concerned.</summary>
    public string File { get; } = file;
}
