using System.Collections.Immutable;
using Wharf.Models.Templates;
using Wharf.Projects;
using YamlDotNet.RepresentationModel;

namespace Wharf.Models;

/// <summary>
/// One YAML file beside the models, as dbt writes them: <c>models:</c>, <c>seeds:</c> (name,
/// description, config, columns with tests) and <c>sources:</c> (name, schema, tables). dbt's
/// test forms (<c>- unique</c>, <c>- accepted_values: { values: [...] }</c>, <c>- relationships:
/// { to: ref('x'), field: id }</c>, <c>config: { severity: warn }</c>) become Wharf checks, and
/// Wharf's own check kinds (range, regex, expression…) may be used the same way.
/// </summary>
internal sealed class SchemaFileReader(string file, string root)
{
    private static readonly string[] TopKeys = ["version", "models", "seeds", "sources", "macros", "exposures", "metrics", "semantic_models", "snapshots", "analyses", "groups", "unit_tests", "data_tests"];
    private static readonly string[] NodeKeys = ["name", "description", "config", "columns", "tests", "data_tests", "docs", "meta", "access", "latest_version", "versions", "constraints", "group", "deprecation_date"];
    private static readonly string[] ColumnKeys = ["name", "description", "tests", "data_tests", "data_type", "meta", "quote", "tags", "constraints", "docs", "policy_tags"];
    private static readonly string[] SourceKeys = ["name", "schema", "database", "description", "tables", "meta", "tags", "loader", "loaded_at_field", "freshness", "quoting", "config", "overrides"];
    private static readonly string[] SourceTableKeys = ["name", "identifier", "description", "columns", "tests", "data_tests", "meta", "tags", "loaded_at_field", "freshness", "quoting", "external", "config"];

    // YamlMap wants a ProjectReader for its errors and ${} expansion (environment only: these files have no .env of their own).
    private readonly ProjectReader reader = new(root, file, new Interpolation(ImmutableDictionary<string, string>.Empty, Environment.GetEnvironmentVariable));

    public void Read(YamlNode document, List<Model> models, List<Seed> seeds, List<ModelSource> sources)
    {
        var top = new YamlMap(document, reader, file, TopKeys);
        foreach (var (node, map, name) in Entries(top, "models", NodeKeys))
        {
            var index = models.FindIndex(m => m.Name == name);
            if (index < 0)
            {
                throw reader.Error(node, $"there is no model '{name}' (no {name}.sql under the model paths). Models: {string.Join(", ", models.Select(m => m.Name).Order(StringComparer.Ordinal))}.");
            }

            var model = models[index];
            models[index] = model with
            {
                Config = Configure(model.Config, map),
                Description = map.String("description"),
                Columns = Columns(map),
                Tests = Tests(map, $"model '{name}'"),
            };
        }

        foreach (var (node, map, name) in Entries(top, "seeds", NodeKeys))
        {
            var index = seeds.FindIndex(s => s.Name == name);
            if (index < 0)
            {
                throw reader.Error(node, $"there is no seed '{name}' (no {name}.csv under the seed paths).");
            }

            var seed = seeds[index];
            seeds[index] = seed with
            {
                Schema = Configure(new ModelConfig { Schema = seed.Schema }, map).Schema,
                Description = map.String("description"),
                Columns = Columns(map),
                Tests = Tests(map, $"seed '{name}'"),
            };
        }

        foreach (var (_, map, name) in Entries(top, "sources", SourceKeys))
        {
            var schema = map.String("schema") ?? name;
            foreach (var (_, table, tableName) in Entries(map, "tables", SourceTableKeys))
            {
                sources.Add(new ModelSource(name, tableName, schema, table.String("identifier") ?? tableName)
                {
                    Description = table.String("description"),
                    Columns = Columns(table),
                    Tests = Tests(table, $"source '{name}.{tableName}'"),
                });
            }
        }
    }

    private IEnumerable<(YamlNode Node, YamlMap Map, string Name)> Entries(YamlMap parent, string key, string[] keys)
    {
        if (parent.Get(key) is not { } node)
        {
            yield break;
        }

        var list = node as YamlSequenceNode ?? throw reader.Error(node, $"'{key}' must be a list of entries, each with 'name:'.");
        foreach (var item in list.Children)
        {
            var map = new YamlMap(item, reader, $"an entry of '{key}'", keys);
            yield return (item, map, map.RequiredString("name"));
        }
    }

    private ModelConfig Configure(ModelConfig config, YamlMap map)
    {
        if (map.Get("config") is not { } node)
        {
            return config;
        }

        try
        {
            return config.With(node is YamlMappingNode settings ? YamlValues.Map(settings) : throw reader.Error(node, "'config' must be a mapping (config: { materialized: table })."));
        }
        catch (TemplateFunctionException ex)
        {
            throw reader.Error(node, ex.Message);
        }
    }

    private ImmutableArray<ColumnDoc> Columns(YamlMap map) =>
        [.. Entries(map, "columns", ColumnKeys).Select(c => new ColumnDoc(c.Name, c.Map.String("description")))];

    /// <summary>The model's own tests and every column's, as Wharf checks.</summary>
    private ImmutableArray<CheckSettings> Tests(YamlMap map, string owner)
    {
        var checks = ImmutableArray.CreateBuilder<CheckSettings>();
        foreach (var test in TestNodes(map))
        {
            checks.AddRange(Check(test, column: null, owner));
        }

        foreach (var (_, column, name) in Entries(map, "columns", ColumnKeys))
        {
            foreach (var test in TestNodes(column))
            {
                checks.AddRange(Check(test, name, owner));
            }
        }

        var twice = checks.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? checks.ToImmutable()
            : throw new ProjectFileException(file, twice.Last().Location.Line, twice.Last().Location.Column,
                $"{owner} has the test '{twice.Key}' twice (also at line {twice.First().Location.Line}); give one a 'name:'.");
    }

    private static IEnumerable<YamlNode> TestNodes(YamlMap map) =>
        new[] { map.Get("tests"), map.Get("data_tests") }.OfType<YamlSequenceNode>().SelectMany(list => list.Children);

    /// <summary>A dbt-style test rewritten as a Wharf check (the column put in), read by the project reader's own check rules.</summary>
    private ImmutableArray<CheckSettings> Check(YamlNode test, string? column, string owner)
    {
        var location = new SourceLocation(file, (int)test.Start.Line, (int)test.Start.Column);
        var (kind, arguments) = KindAndArguments(test, owner);
        var read = arguments is YamlMappingNode given ? TestArguments.Read(given, column, reader.Error) : null;
        var check = read is null
            ? new YamlMappingNode { { kind, arguments } } // Wharf's own form: unique: [order_date, status] is one composite key.
            : Rewrite(test, kind, read, owner);
        return [.. reader.ReadChecks(new YamlSequenceNode(check), owner).Select(c => c with { Location = location, Where = read?.Where })];
    }

    /// <summary>The test's name and its arguments: a mapping, or a list of columns for a composite unique/not_null.</summary>
    private (string Kind, YamlNode Arguments) KindAndArguments(YamlNode test, string owner)
    {
        if (test is YamlScalarNode scalar)
        {
            return (scalar.Value ?? "", new YamlMappingNode());
        }

        if (test is not YamlMappingNode { Children.Count: 1 } single)
        {
            throw reader.Error(test, $"each test of {owner} is a name (- unique) or one name with its arguments (- accepted_values: {{ values: [a, b] }}).");
        }

        var kind = ((YamlScalarNode)single.Children.Keys.Single()).Value ?? "";
        return single.Children.Values.Single() switch
        {
            YamlMappingNode given => (kind, given),
            YamlScalarNode text when kind is "expression" or "sql" => (kind, new YamlMappingNode { { "expression", text } }),
            YamlSequenceNode key when kind is "unique" or "not_null" => (kind, key),
            _ => (kind, new YamlMappingNode()),
        };
    }

    /// <summary>A test's arguments split into dbt's common ones and those of the test itself.</summary>
    private sealed record TestArguments(string? Target, string? Severity, string? Name, YamlMappingNode Body)
    {
        public string? Where { get; init; }

        /// <summary>dbt's test settings Wharf has: the others would change which rows fail, so they are refused, not ignored.</summary>
        private static readonly string[] ConfigKeys = ["severity", "where", "tags", "meta"];

        private static readonly string[] UnsupportedKeys = ["error_if", "warn_if", "limit", "fail_calc", "store_failures", "store_failures_as", "enabled", "alias", "schema", "database"];

        public static TestArguments Read(YamlMappingNode arguments, string? column, Func<YamlNode, string, Exception> error)
        {
            var read = new TestArguments(column, null, null, new YamlMappingNode());
            foreach (var (keyNode, value) in arguments.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? "";
                switch (key)
                {
                    case "config" when value is YamlMappingNode config:
                        Validate(config, error);
                        var severity = config.Children.TryGetValue(new YamlScalarNode("severity"), out var given) ? (given as YamlScalarNode)?.Value : null;
                        var where = config.Children.TryGetValue(new YamlScalarNode("where"), out var condition) ? (condition as YamlScalarNode)?.Value : null;
                        read = read with { Severity = severity ?? read.Severity, Where = where ?? read.Where };
                        break;
                    case "severity":
                        read = read with { Severity = (value as YamlScalarNode)?.Value };
                        break;
                    case "name":
                        read = read with { Name = (value as YamlScalarNode)?.Value };
                        break;
                    case "column_name":
                        read = read with { Target = (value as YamlScalarNode)?.Value };
                        break;
                    case "where":
                        read = read with { Where = (value as YamlScalarNode)?.Value };
                        break;
                    case "error_if" or "warn_if" or "limit" or "fail_calc" or "store_failures":
                        throw error(keyNode, Unsupported(key));
                    case "quote" or "tags" or "meta":
                        break;
                    default:
                        read.Body.Add(key, value);
                        break;
                }
            }

            return read;
        }

        private static void Validate(YamlMappingNode config, Func<YamlNode, string, Exception> error)
        {
            foreach (var keyNode in config.Children.Keys)
            {
                var key = ((YamlScalarNode)keyNode).Value ?? "";
                if (UnsupportedKeys.Contains(key))
                {
                    throw error(keyNode, Unsupported(key));
                }

                if (!ConfigKeys.Contains(key))
                {
                    throw error(keyNode, $"'{key}' is not a test setting; use {string.Join(", ", ConfigKeys)}.{Spelling.DidYouMean([.. ConfigKeys, .. UnsupportedKeys], key, maxDistance: 3)}");
                }
            }
        }

        private static string Unsupported(string key) =>
            $"the test setting '{key}' is not supported by Wharf, and ignoring it would change which rows fail; remove it, or write the test as a singular test in tests/ (a query whose rows are failures).";
    }

    /// <summary>The Wharf check a dbt test of <paramref name="kind"/> is.</summary>
    private YamlMappingNode Rewrite(YamlNode test, string kind, TestArguments arguments, string owner)
    {
        var check = new YamlMappingNode();
        var body = arguments.Body;
        switch (kind)
        {
            case "unique" or "not_null":
                check.Add(kind, arguments.Target ?? throw reader.Error(test, $"the {kind} test of {owner} needs a column: put it under the column, or give column_name."));
                break;
            case "expression" or "sql":
                check.Add(kind, body.Children.Values.FirstOrDefault() ?? throw reader.Error(test, $"the {kind} test of {owner} needs its SQL."));
                break;
            case "accepted_values" or "relationships" or "range" or "regex" or "freshness":
                if (arguments.Target is not null)
                {
                    body.Add("column", arguments.Target);
                }

                check.Add(kind, body);
                break;
            case "row_count":
                check.Add(kind, body);
                break;
            default:
                throw reader.Error(test, $"the test '{kind}' of {owner} is not one Wharf has: unique, not_null, accepted_values, relationships, range, regex, expression, freshness, row_count, sql" +
                    (kind.Contains('.', StringComparison.Ordinal) ? " (tests from dbt packages are not available; write it as a singular test in tests/)." : "."));
        }

        if (arguments.Severity is not null)
        {
            check.Add("severity", arguments.Severity.ToLowerInvariant());
        }

        if (arguments.Name is not null)
        {
            check.Add("name", arguments.Name);
        }

        return check;
    }
}
