namespace Wharf.Incremental;

/// <summary>A stream's incremental state cannot be used: the saved watermark is unreadable or not what this run expects, or a setting does not fit the cursor.</summary>
internal sealed class IncrementalStateException(string stream, string message, Exception? innerException = null) : WharfException(message, innerException)
{
    /// <summary>The stream (<c>pipeline.stream</c> where known), or the cursor column.</summary>
    public string Stream { get; } = stream;
}
