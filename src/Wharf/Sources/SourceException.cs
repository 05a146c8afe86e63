namespace Wharf.Sources;

/// <summary>Reading from a source failed: names the connection, the stream and, for files, the file and line.</summary>
public sealed class SourceException : WharfException
{
    public SourceException(string connection, string stream, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Connection = connection;
        Stream = stream;
    }

    public string Connection { get; }

    public string Stream { get; }

    /// <summary>The file at fault, when one is known.</summary>
    public string? File { get; init; }

    /// <summary>1-based line in <see cref="File"/>, when known.</summary>
    public long? Line { get; init; }

    /// <summary>Whether a retry may help (a dropped connection), set by the source.</summary>
    public bool Transient { get; init; }

    /// <summary>Set by the source, or that of the Wharf error it wraps (a connection that failed transiently).</summary>
    public override bool IsTransient => Transient || base.IsTransient;
}
