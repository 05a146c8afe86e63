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
    /// <value>Defaults to <see langword="false"/>.</value>
    public virtual bool IsTransient => false;
}
