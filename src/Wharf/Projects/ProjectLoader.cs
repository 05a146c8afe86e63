using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>Reads and validates a project folder's <c>wharf.yml</c> and <c>.env</c>.</summary>
internal static class ProjectLoader
{
    /// <summary>Loads the project in <paramref name="directory"/>.</summary>
    /// <exception cref="ProjectFileException">The file is missing, is not valid YAML, or says something Wharf cannot do.</exception>
    public static async Task<Project> LoadAsync(string directory, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        var root = Path.GetFullPath(directory);
        var file = Path.Combine(root, Project.FileName);
        var shown = Display(file);
        var dbtFile = Path.Combine(root, DbtProjectReader.FileName);
        if (!File.Exists(file) && File.Exists(dbtFile))
        {
            return DbtProjectReader.Read(root, Display(dbtFile), await ParseAsync(dbtFile, cancellationToken)
                ?? throw new ProjectFileException(Display(dbtFile), "the file is empty; a dbt project names itself at least (name: my_project)."));
        }

        if (!File.Exists(file))
        {
            throw new ProjectFileException(shown, System.IO.Directory.Exists(root)
                ? $"no {Project.FileName} here. Run 'wharf init' to create a project, or pass --project with the folder that holds {Project.FileName}."
                : $"the project folder {Display(root)} does not exist.");
        }

        var dotEnv = await DotEnvFile.ReadAsync(Path.Combine(root, ".env"), cancellationToken);
        var document = await ParseAsync(file, cancellationToken)
            ?? throw new ProjectFileException(shown, "the file is empty. It needs at least 'connections:' and 'pipelines:'; 'wharf init' writes an example.");
        var interpolation = new Interpolation(dotEnv, environment ?? Environment.GetEnvironmentVariable);
        var project = new ProjectReader(root, shown, interpolation).Read(document);
        // A wharf.yml beside a dbt project (to choose the warehouse, add pipelines) keeps dbt's layout of models.
        if (File.Exists(dbtFile) && project.Models.Folders.Count == 0 && project.Models.Vars.Count == 0
            && await ParseAsync(dbtFile, cancellationToken) is { } dbt)
        {
            project = project with { Models = DbtProjectReader.Read(root, Display(dbtFile), dbt).Models };
        }

        return project;
    }

    /// <summary>The first tab in a line's indentation (line and column, from 1), or null.</summary>
    private static (int Line, int Column)? TabIndentation(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            if (lines[i].IndexOf('\t', 0, indent) is var at and >= 0)
            {
                return (i + 1, at + 1);
            }
        }

        return null;
    }

    /// <summary>The first document of a YAML file; null when the file has none.</summary>
    /// <exception cref="ProjectFileException">The file is not valid YAML.</exception>
    internal static async Task<YamlNode?> ParseAsync(string file, CancellationToken cancellationToken)
    {
        var yaml = new YamlStream();
        var text = await File.ReadAllTextAsync(file, cancellationToken);
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException?.Message ?? ex.Message;
            // The parser reports a tab in the indentation where the mapping began (often 1:1): the tab itself is what to show.
            var tabbed = message.Contains("tab", StringComparison.Ordinal);
            var (line, column) = tabbed && TabIndentation(text) is { } tab ? tab : ((int)ex.Start.Line, (int)ex.Start.Column);
            throw new ProjectFileException(Display(file), line, column, $"this is not valid YAML: {message}{(tabbed ? " YAML indents with spaces only." : "")}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner gives up like this on some broken input (found by ProjectFileFuzzTests), without a position.
            throw new ProjectFileException(Display(file), $"this is not valid YAML (the parser stopped: {ex.Message}). Look for an unclosed bracket, quote or brace.", ex);
        }

        return yaml.Documents.Count == 0 ? null : yaml.Documents[0].RootNode;
    }

    /// <summary>A path as the user would type it: relative to the current folder when inside it.</summary>
    internal static string Display(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
