using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>
/// Where a project keeps its models, seeds, tests and macros, and the configuration given by
/// folder (<c>models:</c>, <c>seeds:</c>) and the variables (<c>vars:</c>) of wharf.yml or
/// dbt_project.yml. Values are as YAML gives them (strings, numbers, lists, mappings).
/// </summary>
internal sealed record ModelSettings
{
    /// <summary>The keys a model's configuration may set (the others of a folder's entry are subfolders).</summary>
    public static readonly IReadOnlyList<string> ConfigKeys =
        ["materialized", "schema", "alias", "unique_key", "tags", "enabled", "on_schema_change", "full_refresh", "description", "docs", "persist_docs", "meta", "grants", "post_hook", "pre_hook", "column_types", "quote_columns", "delimiter"];

    public ImmutableArray<string> ModelPaths { get; init; } = ["models"];

    public ImmutableArray<string> SeedPaths { get; init; } = ["seeds"];

    public ImmutableArray<string> TestPaths { get; init; } = ["tests"];

    public ImmutableArray<string> MacroPaths { get; init; } = ["macros"];

    /// <summary>Configuration by model folder: keys that are settings (<c>materialized</c>, <c>+schema</c>…) apply to the folder, others are subfolders.</summary>
    public OrderedDictionary<string, object?> Folders { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Configuration of every seed (<c>schema</c>, …), and by seed folder.</summary>
    public OrderedDictionary<string, object?> Seeds { get; init; } = new(StringComparer.Ordinal);

    /// <summary>What <c>{{ var('name') }}</c> returns; <c>--var</c> overrides.</summary>
    public OrderedDictionary<string, object?> Vars { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The file these settings came from, for messages.</summary>
    public string File { get; init; } = Project.FileName;
}
