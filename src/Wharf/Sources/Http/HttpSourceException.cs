namespace Wharf.Sources.Http;

/// <summary>
/// An HTTP request or its answer failed: names the connection, and where known the pipeline, the
/// page, the URL (secrets masked) and the status. The message says what was expected and what to do.
/// </summary>
internal sealed class HttpSourceException : WharfException
{
    public HttpSourceException(string connection, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Connection = connection;
    }

    public string Connection { get; }

    /// <summary>The pipeline's stream, when the failure happened in a run.</summary>
    public string? Stream { get; init; }

    /// <summary>The request's URL with secrets masked.</summary>
    public string? Url { get; init; }

    /// <summary>1-based page of the stream (of its partition), when known.</summary>
    public int? Page { get; init; }

    /// <summary>The final HTTP status, when the server answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Whether trying again later may help (the server was down, the network dropped).</summary>
    public bool Transient { get; init; }

    public override bool IsTransient => Transient || base.IsTransient;
}
