namespace Wharf.Lake;

/// <summary>A lake file or manifest is not as the lake's rules say (missing, empty, already there), or the lake's bucket cannot be reached.</summary>
internal sealed class LakeException(string file, string message, Exception? innerException = null, bool transient = false) : WharfException(message, innerException)
{
    /// <summary>The file concerned.</summary>
    public string File { get; } = file;

    public override bool IsTransient => transient || base.IsTransient;
}
