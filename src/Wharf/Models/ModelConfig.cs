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

    /// <summary>
    /// Applies settings given as template values (from YAML or <c>config()</c>). Tags add up, as in
    /// dbt; everything else overrides. Keys Wharf ignores on purpose (docs, grants…) are accepted.
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
                "enabled" => config with { Enabled = value is bool b ? b : throw new TemplateFunctionException($"'enabled' must be true or false, not {TemplateValues.Repr(value)}.") },
                _ when Keys.Contains(key) => config,
                _ => throw new TemplateFunctionException($"'{key}' is not a model setting; use {string.Join(", ", Keys.Take(7))}."),
            };
        }

        return config;
    }

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
