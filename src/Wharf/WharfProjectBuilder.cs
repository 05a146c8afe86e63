using System.Collections;
using System.Globalization;
using YamlDotNet.RepresentationModel;
using Wharf.Projects;

namespace Wharf;

/// <summary>
/// A project built in code instead of a <c>wharf.yml</c>. Settings use wharf.yml's keys and values
/// (docs/configuration.md), so a pipeline reads the same in both, and <see cref="Build"/> checks it
/// with the same rules and messages; a message's line and column point into <see cref="ToYaml"/>.
/// </summary>
/// <example>
/// <code>
/// var project = WharfProject.Create("/data/shop")
///     .Connection("files", "files", new Dictionary&lt;string, object?&gt; { ["path"] = "data/" })
///     .Pipeline("customers", "files", new Dictionary&lt;string, object?&gt; { ["files"] = "customers.csv", ["mode"] = "replace" })
///     .Build();
/// </code>
/// </example>
public sealed class WharfProjectBuilder
{
    /// <summary>What error messages name instead of a file.</summary>
    public const string Origin = "project built in code";

    private readonly string folder;
    private readonly YamlMappingNode connections = [];
    private readonly YamlMappingNode pipelines = [];
    private string? warehouse;
    private string? lake;

    internal WharfProjectBuilder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        this.folder = Path.GetFullPath(folder);
    }

    /// <summary>The warehouse: <c>duckdb:FILE</c> (default <c>duckdb:warehouse.duckdb</c>) or <c>postgres://…</c>.</summary>
    public WharfProjectBuilder Warehouse(string url)
    {
        warehouse = url;
        return this;
    }

    /// <summary>The lake folder (default <c>lake/</c>), or <c>s3://bucket/prefix/</c> for a lake on S3 (credentials from the AWS chain).</summary>
    public WharfProjectBuilder Lake(string path)
    {
        lake = path;
        return this;
    }

    /// <summary>A connection: <paramref name="type"/> is <c>files</c>, <c>postgres</c> or <c>sqlite</c>; the settings are wharf.yml's (<c>path</c>, <c>url</c>, …).</summary>
    public WharfProjectBuilder Connection(string name, string type, IReadOnlyDictionary<string, object?>? settings = null)
    {
        var node = Mapping(settings ?? new Dictionary<string, object?>());
        node.Children.Insert(0, new YamlScalarNode("type"), new YamlScalarNode(type));
        connections.Add(name, node);
        return this;
    }

    /// <summary>A pipeline reading <paramref name="source"/>; the settings are wharf.yml's (<c>files</c>, <c>tables</c>, <c>query</c>, <c>table</c>, <c>schema</c>, <c>mode</c>, <c>primary_key</c>, <c>cursor</c>, <c>checks</c>, …).</summary>
    public WharfProjectBuilder Pipeline(string name, string source, IReadOnlyDictionary<string, object?> settings)
    {
        var node = Mapping(settings);
        node.Children.Insert(0, new YamlScalarNode("source"), new YamlScalarNode(source));
        pipelines.Add(name, node);
        return this;
    }

    /// <summary>The project as wharf.yml would hold it.</summary>
    public string ToYaml()
    {
        var root = new YamlMappingNode();
        if (warehouse is not null)
        {
            root.Add("warehouse", warehouse);
        }

        if (lake is not null)
        {
            root.Add("lake", lake);
        }

        root.Add("connections", connections);
        root.Add("pipelines", pipelines);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        return text.ToString();
    }

    /// <summary>Checks the project and returns it. <c>${VAR}</c> in a value reads <paramref name="environment"/> (default: the process environment).</summary>
    /// <exception cref="ProjectFileException">A setting Wharf cannot use; the message says which and what was expected.</exception>
    public WharfProject Build(Func<string, string?>? environment = null)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(ToYaml()));
        var interpolation = new Interpolation(new Dictionary<string, string>(), environment ?? Environment.GetEnvironmentVariable);
        return new WharfProject(new ProjectReader(folder, Origin, interpolation).Read(yaml.Documents[0].RootNode));
    }

    private static YamlMappingNode Mapping(IReadOnlyDictionary<string, object?> settings)
    {
        var node = new YamlMappingNode();
        foreach (var (key, value) in settings)
        {
            node.Add(new YamlScalarNode(key), Node(value));
        }

        return node;
    }

    private static YamlNode Node(object? value) => value switch
    {
        null => new YamlScalarNode("null"),
        string text => new YamlScalarNode(text) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted },
        bool flag => new YamlScalarNode(flag ? "true" : "false"),
        IFormattable number => new YamlScalarNode(number.ToString(null, CultureInfo.InvariantCulture)),
        IReadOnlyDictionary<string, object?> map => Mapping(map),
        IDictionary map => Mapping(map.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => map[k])),
        IEnumerable list => new YamlSequenceNode(list.Cast<object?>().Select(Node)),
        _ => new YamlScalarNode(value.ToString()),
    };
}
