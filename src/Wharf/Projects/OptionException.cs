namespace Wharf.Projects;

/// <summary>
/// A command-line option asks for something that cannot be, or options that do not go together
/// (the command line's <see cref="ProjectFileException"/>): names the option and what to do.
/// </summary>
internal sealed class OptionException : WharfException
{
    public OptionException(string option, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Option = option;
    }

    /// <summary>The option at fault, e.g. <c>--files</c>.</summary>
    public string Option { get; }
}
