using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>
/// A dbt project (a folder with <c>dbt_project.yml</c> and no wharf.yml) as a Wharf project:
/// the embedded DuckDB warehouse, no pipelines, and dbt's paths, per-folder configuration
/// (<c>+materialized</c> or <c>materialized</c>, under the project's name) and <c>vars</c>.
/// </summary>
internal static class DbtProjectReader
{
    public const string FileName = "dbt_project.yml";

    public static Project Read(string root, string shown, YamlNode document)
    {
        if (document is not YamlMappingNode top)
        {
            throw new ProjectFileException(shown, (int)document.Start.Line, (int)document.Start.Column, "dbt_project.yml must be a mapping (name:, model-paths:, models:…).");
        }

        var values = YamlValues.Map(top);
        var name = values.GetValueOrDefault("name") as string;
        var settings = new ModelSettings
        {
            ModelPaths = Paths(values, "model-paths", "source-paths") ?? ["models"],
            SeedPaths = Paths(values, "seed-paths", "data-paths") ?? ["seeds"],
            TestPaths = Paths(values, "test-paths") ?? ["tests"],
            MacroPaths = Paths(values, "macro-paths") ?? ["macros"],
            Folders = UnderProject(values, "models", name),
            Seeds = UnderProject(values, "seeds", name),
            Vars = values.GetValueOrDefault("vars") as OrderedDictionary<string, object?> ?? new(StringComparer.Ordinal),
            File = shown,
        };
        var warehouse = new WarehouseSettings(WarehouseKind.DuckDb, Path.Combine(root, "warehouse.duckdb"));
        return new Project(root, shown, warehouse, Path.Combine(root, "lake"), [], []) { Models = settings };
    }

    private static ImmutableArray<string>? Paths(OrderedDictionary<string, object?> values, params string[] keys) =>
        keys.Select(k => values.GetValueOrDefault(k)).FirstOrDefault(v => v is not null) switch
        {
            null => null,
            string one => [one],
            List<object?> many => [.. many.OfType<string>()],
            _ => null,
        };

    /// <summary><c>models: { my_project: { staging: {…} } }</c>: the project's own entry (entries for packages are ignored).</summary>
    private static OrderedDictionary<string, object?> UnderProject(OrderedDictionary<string, object?> values, string key, string? project)
    {
        if (values.GetValueOrDefault(key) is not OrderedDictionary<string, object?> section)
        {
            return new(StringComparer.Ordinal);
        }

        var result = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (entry, value) in section)
        {
            if (entry == project && value is OrderedDictionary<string, object?> own)
            {
                foreach (var (k, v) in own)
                {
                    result[k] = v;
                }
            }
            else if (entry.StartsWith('+') || ModelSettings.ConfigKeys.Contains(entry))
            {
                result[entry] = value;
            }
        }

        return result;
    }
}
