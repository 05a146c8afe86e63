namespace Wharf;

/// <summary>
/// The root of every error Wharf raises on purpose. <see cref="IsTransient"/> tells callers
/// whether trying again can help (a dropped connection) or not (a typo, a bad file).
/// </summary>
public class WharfException : Exception
{
    public WharfException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Whether a retry of the same operation may succeed.</summary>
    /// <value>
    /// Defaults to the transience of the Wharf error this one wraps, so wrapping never loses it;
    /// <see langword="false"/> when it wraps none.
    /// </value>
    public virtual bool IsTransient => InnerException is WharfException { IsTransient: true };
}
