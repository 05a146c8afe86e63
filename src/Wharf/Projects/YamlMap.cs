using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>
/// Reads one YAML mapping of wharf.yml with validation. Keys are checked up front against the
/// allowed ones, so a misspelled key is reported as such (with the closest allowed key) before
/// any "missing key" error could hide it.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode node;
    private readonly ProjectReader reader;
    private readonly string context;

    /// <param name="keys">The allowed keys, or <see langword="null"/> for a map of names (connections, pipelines).</param>
    public YamlMap(YamlNode node, ProjectReader reader, string context, IReadOnlyCollection<string>? keys)
    {
        this.reader = reader;
        this.context = context;
        this.node = node as YamlMappingNode ?? throw reader.Error(node, $"{context} must be a mapping of keys to values.");
        foreach (var keyNode in this.node.Children.Keys)
        {
            var key = (keyNode as YamlScalarNode)?.Value
                ?? throw reader.Error(keyNode, $"keys in {context} must be plain names, not lists or mappings.");
            if (keys is not null && !keys.Contains(key))
            {
                var hint = Spelling.DidYouMean(keys, key, maxDistance: 2);
                throw reader.Error(keyNode, $"unknown key '{key}' in {context}.{hint} Expected one of: {string.Join(", ", keys.Order(StringComparer.Ordinal))}.");
            }
        }
    }

    public YamlNode Node => node;

    public IEnumerable<(string Key, YamlNode KeyNode, YamlNode Value)> Entries =>
        node.Children.Select(pair => (((YamlScalarNode)pair.Key).Value ?? "", pair.Key, pair.Value));

    public YamlNode? Get(string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;

    public string? String(string key) => Get(key) is { } value ? reader.Scalar(value, $"'{key}' in {context}") : null;

    public string RequiredString(string key) =>
        String(key) ?? throw reader.Error(node, $"{context} needs '{key}'.");

    public bool? Bool(string key)
    {
        if (Get(key) is not { } value)
        {
            return null;
        }

        return reader.Scalar(value, $"'{key}' in {context}").ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            var other => throw reader.Error(value, $"'{key}' in {context} must be true or false, not '{other}'."),
        };
    }

    public int? Int(string key)
    {
        if (Get(key) is not { } value)
        {
            return null;
        }

        var text = reader.Scalar(value, $"'{key}' in {context}");
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw reader.Error(value, $"'{key}' in {context} must be a whole number, not '{text}'.");
    }

    /// <summary>A string or a list of strings.</summary>
    public ImmutableArray<string> StringList(string key)
    {
        var value = Get(key);
        return value switch
        {
            null => [],
            YamlSequenceNode list => [.. list.Children.Select(item => reader.Scalar(item, $"each item of '{key}' in {context}"))],
            _ => [reader.Scalar(value, $"'{key}' in {context}")],
        };
    }

    public T Enum<T>(string key, T defaultValue)
        where T : struct, System.Enum
    {
        if (Get(key) is not { } value)
        {
            return defaultValue;
        }

        var text = reader.Scalar(value, $"'{key}' in {context}");
        var names = System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray();
        return System.Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && names.Contains(text.ToLowerInvariant())
            ? parsed
            : throw reader.Error(value, $"'{key}' in {context} must be one of {string.Join(", ", names)}, not '{text}'.");
    }

    /// <summary>Fails when one of <paramref name="keys"/> is present, saying why it does not belong here.</summary>
    public void RejectKeys(IEnumerable<string> keys, string reason)
    {
        foreach (var key in keys)
        {
            if (node.Children.Keys.FirstOrDefault(k => (k as YamlScalarNode)?.Value == key) is { } keyNode)
            {
                throw reader.Error(keyNode, $"'{key}' in {context} {reason}.");
            }
        }
    }

    public YamlMap? Map(string key, IReadOnlyCollection<string>? keys) =>
        Get(key) is { } value ? new YamlMap(value, reader, $"'{key}' in {context}", keys) : null;

    private static bool IsNull(YamlNode value) =>
        value is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" };
}
