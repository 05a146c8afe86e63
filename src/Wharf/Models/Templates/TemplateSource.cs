using Wharf.Projects;

namespace Wharf.Models.Templates;

/// <summary>A template's text and the file it came from, so every error can say line and column.</summary>
internal sealed class TemplateSource
{
    private readonly int[] lineStarts;

    public TemplateSource(string file, string text)
    {
        File = file;
        Text = text;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        lineStarts = [.. starts];
    }

    /// <summary>The file as the user knows it (relative to the project).</summary>
    public string File { get; }

    public string Text { get; }

    /// <summary>The 1-based line and column of a character.</summary>
    public (int Line, int Column) Position(int offset)
    {
        var line = Array.BinarySearch(lineStarts, offset);
        line = line >= 0 ? line : ~line - 1;
        return (line + 1, offset - lineStarts[line] + 1);
    }

    public ProjectFileException Error(int offset, string problem, Exception? innerException = null)
    {
        var (line, column) = Position(offset);
        return new ProjectFileException(File, line, column, problem, innerException);
    }
}
