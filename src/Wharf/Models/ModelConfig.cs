using System.Collections.Immutable;
using Wharf.Models.Templates;

namespace Wharf.Models;

/// <summary>
/// A model's (or seed's) configuration: set by folder in the project file, then by the model's
/// own YAML entry, then by <c>{{ config(...) }}</c> in its SQL, each overriding the one before.
/// </summary>
internal sealed record ModelConfig
{
    /// <summary>The keys a configuration may set; any other is an error.</summary>
    public static IReadOnlyList<string> Keys => Projects.ModelSettings.ConfigKeys;

    /// <value>Defaults to <see cref="Materialization.View"/>, as in dbt.</value>
    public Materialization Materialized { get; init; } = Materialization.View;

    /// <summary>The schema the relation is built in; null: the project's default.</summary>
    public string? Schema { get; init; }

    /// <summary>The relation's name when it is not the model's.</summary>
    public string? Alias { get; init; }

    /// <summary>For incremental models: the columns that identify a row (merge); empty: append.</summary>
    public ImmutableArray<string> UniqueKey { get; init; } = [];

    public ImmutableArray<string> Tags { get; init; } = [];

    /// <value>Defaults to <see langword="true"/>; a disabled model is not built and cannot be ref'd.</value>
    public bool Enabled { get; init; } = true;

    /// <summary>What <c>--full-refresh</c> does to an incremental model, as in dbt.</summary>
    /// <value>
    /// Defaults to <see langword="null"/>: the flag decides. <see langword="false"/>: the model stays
    /// incremental even under <c>--full-refresh</c> (a table too costly to rebuild);
    /// <see langword="true"/>: it is rebuilt on every build.
    /// </value>
    public bool? FullRefresh { get; init; }

    /// <summary>
    /// Applies settings given as template values (from YAML or <c>config()</c>). Tags add up, as in
    /// dbt; everything else overrides. Keys that only document (description, docs, meta) are
    /// accepted; a known dbt key Wharf does not implement is an error, since ignoring it would build
    /// something other than what the project asks for.
    /// </summary>
    /// <exception cref="TemplateFunctionException">An unknown key or a value of the wrong kind; the message says which.</exception>
    public ModelConfig With(IEnumerable<KeyValuePair<string, object?>> settings)
    {
        var config = this;
        foreach (var (rawKey, value) in settings)
        {
            var key = rawKey.TrimStart('+');
            config = key switch
            {
                "materialized" => config with { Materialized = ParseMaterialization(Text(key, value)) },
                "schema" => config with { Schema = value is null ? null : Text(key, value) },
                "alias" => config with { Alias = value is null ? null : Text(key, value) },
                "unique_key" => config with { UniqueKey = Strings(key, value) },
                "tags" => config with { Tags = [.. config.Tags.Union(Strings(key, value), StringComparer.Ordinal)] },
                "enabled" => config with { Enabled = Flag(key, value) },
                "full_refresh" => config with { FullRefresh = value is null ? null : Flag(key, value) },
                "on_schema_change" when value is "ignore" => config,
                "on_schema_change" => throw new TemplateFunctionException($"on_schema_change: {TemplateValues.Repr(value)} is not supported: an incremental model ignores new columns (a note names them; --full-refresh adds them). Remove it, or set 'ignore'."),
                "description" or "docs" or "meta" => config,
                _ when Keys.Contains(key) => throw new TemplateFunctionException($"'{key}' is not supported by Wharf, and ignoring it would not do what it asks; remove it. Model settings are {string.Join(", ", Supported)}."),
                _ => throw new TemplateFunctionException($"'{key}' is not a model setting; use {string.Join(", ", Supported)}.{Spelling.DidYouMean(Supported, key, maxDistance: 2)}"),
            };
        }

        return config;
    }

    private static readonly string[] Supported = ["materialized", "schema", "alias", "unique_key", "tags", "enabled", "full_refresh", "on_schema_change: ignore"];

    private static bool Flag(string key, object? value) => value as bool?
        ?? throw new TemplateFunctionException($"'{key}' must be true or false, not {TemplateValues.Repr(value)}.");

    public static Materialization ParseMaterialization(string text) => text switch
    {
        "view" => Materialization.View,
        "table" => Materialization.Table,
        "incremental" => Materialization.Incremental,
        "ephemeral" => Materialization.Ephemeral,
        _ => throw new TemplateFunctionException($"materialized must be view, table, incremental or ephemeral, not '{text}'."),
    };

    public static string Name(Materialization materialization) => materialization.ToString().ToLowerInvariant();

    private static string Text(string key, object? value) => value as string
        ?? throw new TemplateFunctionException($"'{key}' must be a string, not {TemplateValues.Repr(value)}.");

    /// <summary>A string or a list of strings (<c>unique_key: id</c> or <c>[order_id, line]</c>).</summary>
    private static ImmutableArray<string> Strings(string key, object? value) => value switch
    {
        null => [],
        string s => s.Contains(',', StringComparison.Ordinal) ? [.. s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] : [s],
        List<object?> list => [.. list.Select(item => item as string ?? throw new TemplateFunctionException($"'{key}' must list strings, not {TemplateValues.Repr(item)}."))],
        _ => throw new TemplateFunctionException($"'{key}' must be a string or a list of strings, not {TemplateValues.Repr(value)}."),
    };
}
