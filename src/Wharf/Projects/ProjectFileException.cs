namespace Wharf.Projects;

/// <summary>
/// A problem in <c>wharf.yml</c> (or <c>.env</c>): says which file, line and column, what was
/// expected, and what to do.
/// </summary>
public sealed class ProjectFileException : WharfException
{
    public ProjectFileException(string file, int line, int column, string problem, Exception? innerException = null)
        : base($"{file}:{line}:{column}: {problem}", innerException)
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public ProjectFileException(string file, string problem, Exception? innerException = null)
        : base($"{file}: {problem}", innerException)
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The file with the problem.</summary>
    public string File { get; }

    /// <summary>1-based line, or 0 when the problem is the whole file.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when the problem is the whole file.</summary>
    public int Column { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Problem { get; }
}
