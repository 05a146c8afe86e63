using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Wharf.Models.Templates;
using Wharf.Projects;
using YamlDotNet.RepresentationModel;

namespace Wharf.Models;

/// <summary>
/// Reads a project's models (<c>.sql</c> under the model paths, with folder configuration),
/// their YAML (<c>models:</c>, <c>sources:</c>, <c>seeds:</c> entries with descriptions, columns
/// and tests), doc blocks (<c>.md</c>), seeds (<c>.csv</c>), singular tests and macros.
/// Every template is parsed here, so syntax errors surface before anything is built.
/// </summary>
internal static partial class ModelProjectReader
{
    [GeneratedRegex(@"\{%-?\s*docs\s+(\w+)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", RegexOptions.Singleline)]
    private static partial Regex DocBlock();

    public static async Task<ModelProject> ReadAsync(Project project, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        var settings = project.Models;
        var root = project.Directory;
        var models = new List<Model>();
        var docs = new Dictionary<string, string>(StringComparer.Ordinal);
        var yamlFiles = new List<string>();
        foreach (var (folder, file) in Files(root, settings.ModelPaths, "*.*"))
        {
            switch (Path.GetExtension(file).ToLowerInvariant())
            {
                case ".sql":
                    var folders = Path.GetRelativePath(folder, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar).Where(f => f != ".").ToImmutableArray();
                    var shown = Shown(root, file);
                    var config = Configure(new ModelConfig(), settings.Folders, folders, settings.File);
                    models.Add(new Model(Path.GetFileNameWithoutExtension(file), shown, folders, Template.Parse(shown, await File.ReadAllTextAsync(file, cancellationToken)), config));
                    break;
                case ".yml" or ".yaml":
                    yamlFiles.Add(file);
                    break;
                case ".md":
                    foreach (Match block in DocBlock().Matches(await File.ReadAllTextAsync(file, cancellationToken)))
                    {
                        docs[block.Groups[1].Value] = block.Groups[2].Value.Trim();
                    }

                    break;
            }
        }

        RejectDuplicates(models.Select(m => (m.Name, m.File)), "model");
        var seeds = Files(root, settings.SeedPaths, "*.csv")
            .Select(f => new Seed(Path.GetFileNameWithoutExtension(f.File), Shown(root, f.File), SeedSchema(settings, f.Folder, f.File)))
            .ToList();
        RejectDuplicates(seeds.Select(s => (s.Name, s.File)).Concat(models.Select(m => (m.Name, m.File))), "model or seed");
        var tests = new List<SingularTest>();
        foreach (var (_, file) in Files(root, settings.TestPaths, "*.sql"))
        {
            var shown = Shown(root, file);
            tests.Add(new SingularTest(Path.GetFileNameWithoutExtension(file), shown, Template.Parse(shown, await File.ReadAllTextAsync(file, cancellationToken))));
        }

        var macros = new List<Template>();
        foreach (var (_, file) in Files(root, settings.MacroPaths, "*.sql"))
        {
            var shown = Shown(root, file);
            macros.Add(Template.Parse(shown, await File.ReadAllTextAsync(file, cancellationToken)));
        }

        var sources = new List<ModelSource>();
        foreach (var file in yamlFiles)
        {
            if (await ProjectLoader.ParseAsync(file, cancellationToken) is { } document)
            {
                new SchemaFileReader(Shown(root, file), root).Read(document, models, seeds, sources);
            }
        }

        return new ModelProject(root, [.. models], [.. seeds], [.. tests], [.. macros], [.. sources], docs.ToImmutableDictionary(), settings.Vars);
    }

    /// <summary>Applies folder configuration from the top down: the root's settings, then each folder's on the way to the file.</summary>
    internal static ModelConfig Configure(ModelConfig config, OrderedDictionary<string, object?> tree, IEnumerable<string> folders, string file)
    {
        var level = tree;
        foreach (var folder in folders.Prepend(null))
        {
            if (folder is not null)
            {
                if (level.GetValueOrDefault(folder) is not OrderedDictionary<string, object?> next)
                {
                    break;
                }

                level = next;
            }

            try
            {
                config = config.With(level.Where(e => e.Key.StartsWith('+') || ModelConfig.Keys.Contains(e.Key)));
            }
            catch (TemplateFunctionException ex)
            {
                throw new ProjectFileException(file, $"models: {(folder is null ? "" : folder + ": ")}{ex.Message}");
            }
        }

        return config;
    }

    private static string? SeedSchema(ModelSettings settings, string folder, string file)
    {
        var folders = Path.GetRelativePath(folder, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar).Where(f => f != ".");
        return Configure(new ModelConfig(), settings.Seeds, folders, settings.File).Schema;
    }

    private static IEnumerable<(string Folder, string File)> Files(string root, ImmutableArray<string> paths, string pattern) =>
        paths.Select(p => Path.GetFullPath(Path.Combine(root, p)))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, pattern, SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(file => (folder, file)));

    private static string Shown(string root, string file) => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');

    private static void RejectDuplicates(IEnumerable<(string Name, string File)> nodes, string what)
    {
        var twice = nodes.GroupBy(n => n.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new ProjectFileException(twice.Last().File, $"another {what} is named '{twice.Key}' ({twice.First().File}); names must be unique, as ref('{twice.Key}') must mean one thing.");
        }
    }
}
