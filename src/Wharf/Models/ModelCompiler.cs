using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Wharf.Models.Templates;
using Wharf.Projects;

namespace Wharf.Models;

/// <summary>
/// Renders models to SQL: <c>ref()</c> to a model's or seed's relation (an ephemeral model's to a
/// CTE put in front of the query), <c>source()</c> to a YAML source or a pipeline's table,
/// <c>config()</c>, <c>this</c>, <c>var()</c>, <c>env_var()</c>, <c>is_incremental()</c>,
/// <c>target</c>, and the project's macros.
/// </summary>
internal sealed partial class ModelCompiler
{
    private const string CtePrefix = "__wharf_cte__";
    private readonly ModelProject project;
    private readonly IReadOnlyList<PipelineSettings> pipelines;
    private readonly ModelTarget target;
    private readonly TemplateScope globals = new();
    private readonly Dictionary<string, Model> models;
    private readonly Dictionary<string, Seed> seeds;
    private readonly Dictionary<string, CompiledModel> parsed = new(StringComparer.Ordinal);

    public ModelCompiler(ModelProject project, IReadOnlyList<PipelineSettings> pipelines, ModelTarget target)
    {
        this.project = project;
        this.pipelines = pipelines;
        this.target = target;
        models = project.Models.Where(m => m.Config.Enabled).ToDictionary(m => m.Name, StringComparer.Ordinal);
        seeds = project.Seeds.ToDictionary(s => s.Name, StringComparer.Ordinal);
        globals.Set("var", (TemplateFunction)Var);
        globals.Set("env_var", (TemplateFunction)EnvVar);
        globals.Set("target", new OrderedDictionary<string, object?>(StringComparer.Ordinal) { ["type"] = target.Type, ["schema"] = target.Schema, ["name"] = "default" });
        globals.Set("doc", (TemplateFunction)Doc);
        globals.Set("range", (TemplateFunction)Range);
        foreach (var macros in project.Macros)
        {
            macros.Render(globals);
        }

        // config(enabled=false) in a model's own SQL disables it as YAML does; every ref must know
        // that before any model is parsed, so each is rendered once here with refs unchecked.
        foreach (var model in models.Values.ToList())
        {
            if (!Render(model, false, (name, _) => new Relation(target.Schema, name), new Relation(target.Schema, model.Name)).Config.Enabled)
            {
                models.Remove(model.Name);
            }
        }
    }

    /// <summary>Whether the model is built: not disabled by folder, YAML or its own <c>config()</c>.</summary>
    public bool IsEnabled(Model model) => models.ContainsKey(model.Name);

    /// <summary>The relation a model or seed is built as.</summary>
    public Relation RelationOf(string name) =>
        models.TryGetValue(name, out var model) ? RelationOf(model)
        : seeds.TryGetValue(name, out var seed) ? new Relation(seed.Schema ?? target.Schema, seed.Name)
        : throw new TemplateFunctionException(Unknown(name));

    private Relation RelationOf(Model model)
    {
        var config = Parse(model).Config;
        return new Relation(config.Schema ?? target.Schema, config.Alias ?? model.Name);
    }

    /// <summary>
    /// A model's configuration (its own <c>config()</c> included) and what it refs, from a first
    /// rendering in which <c>ref()</c> only takes note (as dbt's parse does): a model's
    /// <c>config()</c> may say it is ephemeral or where it goes, which every model that refs it
    /// must know before it is compiled.
    /// </summary>
    public CompiledModel Parse(Model model)
    {
        if (parsed.TryGetValue(model.Name, out var known))
        {
            return known;
        }

        var placeholder = new Relation(target.Schema, model.Name);
        var result = Render(model, false, (name, _) => seeds.ContainsKey(name) || models.ContainsKey(name)
            ? new Relation(target.Schema, name)
            : throw new TemplateFunctionException(Unknown(name)), placeholder);
        result = result with { Relation = new Relation(result.Config.Schema ?? target.Schema, result.Config.Alias ?? model.Name) };
        parsed[model.Name] = result;
        return result;
    }

    /// <summary>Renders a model for its build; <paramref name="incremental"/> is what <c>is_incremental()</c> answers.</summary>
    /// <exception cref="ProjectFileException">The template fails; the error names the file, line and column.</exception>
    public CompiledModel Compile(Model model, bool incremental = false) => Compile(model, incremental, []);

    private CompiledModel Compile(Model model, bool incremental, ImmutableStack<string> chain)
    {
        if (chain.Contains(model.Name))
        {
            throw new ProjectFileException(model.File, $"ephemeral models ref each other in a cycle: {string.Join(" → ", chain.Reverse().Append(model.Name))}.");
        }

        var ctes = new List<(string Name, string Sql)>();
        var compiled = Render(model, incremental, (name, _) => Ref(name, ctes, chain.Push(model.Name)), RelationOf(model));
        return compiled with { Sql = WithCtes(compiled.Sql, ctes) };
    }

    private CompiledModel Render(Model model, bool incremental, Func<string, TemplateArguments, Relation> reference, Relation self)
    {
        var refs = new List<string>();
        var sources = new List<(string, string)>();
        var settings = new List<KeyValuePair<string, object?>>();
        var scope = globals.Child();
        scope.Set("ref", (TemplateFunction)(a =>
        {
            a.Allow("package_or_name", "name", "version", "v");
            // ref('name') or ref('package', 'name'): the package is this project.
            var name = a.Positional.Count == 2 ? a.String(1, "name") : a.String(0, "package_or_name");
            refs.Add(name);
            return reference(name, a);
        }));
        scope.Set("source", (TemplateFunction)(a => Source(a, sources)));
        scope.Set("config", (TemplateFunction)(a =>
        {
            // Checked here so that a bad setting is reported at the config() call's line and column.
            model.Config.With(a.Named);
            settings.AddRange(a.Named);
            return "";
        }));
        scope.Set("is_incremental", (TemplateFunction)(a =>
        {
            a.Allow();
            return incremental;
        }));
        scope.Set("this", self);
        var sql = model.Template.Render(scope);
        ModelConfig config;
        try
        {
            config = model.Config.With(settings);
        }
        catch (TemplateFunctionException ex)
        {
            throw new ProjectFileException(model.File, $"config(): {ex.Message}");
        }

        return new CompiledModel(model, sql, config, self, [.. refs.Distinct(StringComparer.Ordinal)], [.. sources.Distinct()]);
    }

    /// <summary>A description from YAML with its <c>{{ doc('name') }}</c> blocks (and vars) rendered; <paramref name="where"/> names it in errors.</summary>
    public string Describe(string? text, string where) =>
        string.IsNullOrWhiteSpace(text) ? "" : Template.Parse(where, text).Render(globals.Child()).Trim();

    /// <summary>Renders a singular test's query, with the models and seeds it refs.</summary>
    public (string Sql, ImmutableArray<string> Refs) CompileTest(SingularTest test)
    {
        var model = new Model(test.Name, test.File, [], test.Template, new ModelConfig());
        var ctes = new List<(string Name, string Sql)>();
        var compiled = Render(model, false, (name, _) => Ref(name, ctes, []), new Relation(target.Schema, test.Name));
        return (WithCtes(compiled.Sql, ctes), compiled.Refs);
    }

    /// <summary>A relation written as an expression in YAML (<c>ref('customers')</c>, <c>source('shop', 'orders')</c>).</summary>
    /// <exception cref="ProjectFileException">It is not one, or names nothing.</exception>
    public Relation Resolve(string expression)
    {
        var template = Template.Parse("a relationships test's 'to'", "{{ " + expression + " }}");
        var scope = globals.Child();
        Relation? found = null;
        scope.Set("ref", (TemplateFunction)(a =>
        {
            a.Allow("package_or_name", "name");
            return found = RelationOf(a.Positional.Count == 2 ? a.String(1, "name") : a.String(0, "package_or_name"));
        }));
        scope.Set("source", (TemplateFunction)(a => found = Source(a, [])));
        template.Render(scope);
        return found ?? throw new ProjectFileException("a relationships test", $"'to: {expression}' must be ref('model') or source('source', 'table').");
    }

    private Relation Ref(string name, List<(string Name, string Sql)> ctes, ImmutableStack<string> chain)
    {
        if (!models.TryGetValue(name, out var model) || Parse(model).Config.Materialized != Materialization.Ephemeral)
        {
            return RelationOf(name);
        }

        var cte = CtePrefix + name;
        if (!ctes.Any(c => c.Name == cte))
        {
            // An ephemeral model that refs others carries its own WITH inside its parentheses, which both engines accept.
            ctes.Add((cte, Compile(model, false, chain).Sql));
        }

        return RelationOf(model) with { CommonTableExpression = cte };
    }

    private Relation Source(TemplateArguments arguments, List<(string, string)> sources)
    {
        arguments.Allow("source_name", "table_name");
        var source = arguments.String(0, "source_name");
        var table = arguments.String(1, "table_name");
        sources.Add((source, table));
        if (project.Sources.FirstOrDefault(s => s.SourceName == source && s.Table == table) is { } declared)
        {
            return new Relation(declared.Schema, declared.Identifier);
        }

        if (pipelines.FirstOrDefault(p => p.Name == source) is { } pipeline)
        {
            return new Relation(pipeline.Schema, table);
        }

        var known = project.Sources.Select(s => $"{s.SourceName}.{s.Table}").Concat(pipelines.Select(p => p.Name + ".*")).ToList();
        throw new TemplateFunctionException($"there is no source '{source}' with table '{table}': declare it under sources: in a YAML file, or name a pipeline of wharf.yml" +
            (known.Count == 0 ? "." : $" (known: {string.Join(", ", known)})."));
    }

    private object? Var(TemplateArguments arguments)
    {
        arguments.Allow("name", "default");
        var name = arguments.String(0, "name");
        if (target.Vars.TryGetValue(name, out var given))
        {
            return given;
        }

        if (project.Vars.TryGetValue(name, out var value))
        {
            return value;
        }

        var fallback = arguments.Get(1, "default");
        return ReferenceEquals(fallback, TemplateArguments.Missing)
            ? throw new TemplateFunctionException($"var('{name}') is not set: add it under 'vars:' in the project file, or run with --var {name}=VALUE.")
            : fallback;
    }

    private object? EnvVar(TemplateArguments arguments)
    {
        arguments.Allow("name", "default");
        var name = arguments.String(0, "name");
        var fallback = arguments.Get(1, "default");
        return target.Environment(name) ?? (ReferenceEquals(fallback, TemplateArguments.Missing)
            ? throw new TemplateFunctionException($"env_var('{name}') is not set in the environment; set it, or give a default: env_var('{name}', 'value').")
            : fallback);
    }

    /// <summary>Python's <c>range(stop)</c>, <c>range(start, stop[, step])</c>.</summary>
    private static List<object?> Range(TemplateArguments arguments)
    {
        arguments.Allow("start", "stop", "step");
        var numbers = arguments.Positional.Select(a => a as long? ?? throw new TemplateFunctionException($"range() takes integers, not {TemplateValues.Repr(a)}.")).ToList();
        var (start, stop, step) = numbers.Count switch
        {
            1 => (0L, numbers[0], 1L),
            2 => (numbers[0], numbers[1], 1L),
            3 => (numbers[0], numbers[1], numbers[2]),
            _ => throw new TemplateFunctionException("range() takes 1 to 3 integers: range(stop), range(start, stop[, step])."),
        };
        if (step == 0 || Math.Abs((stop - start) / step) > 100_000)
        {
            throw new TemplateFunctionException("range() needs a step other than 0 and at most 100,000 numbers.");
        }

        var result = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            result.Add(i);
        }

        return result;
    }

    private string Doc(TemplateArguments arguments)
    {
        arguments.Allow("name");
        var name = arguments.String(0, "name");
        return project.Docs.TryGetValue(name, out var text) ? text
            : throw new TemplateFunctionException($"there is no doc block '{name}' ({{% docs {name} %}} … {{% enddocs %}} in a .md file under the model paths).");
    }

    private string Unknown(string name)
    {
        var names = models.Keys.Concat(seeds.Keys).ToList();
        var hint = Spelling.DidYouMean(names, name, maxDistance: 3);
        var disabled = project.Models.Any(m => m.Name == name) ? " (it is disabled: enabled: false)" : "";
        return $"there is no model or seed named '{name}'{disabled}.{hint}";
    }

    /// <summary>Puts the CTEs in front of the query: into its own WITH when it has one, else in a new one.</summary>
    internal static string WithCtes(string sql, IReadOnlyList<(string Name, string Sql)> ctes)
    {
        if (ctes.Count == 0)
        {
            return sql;
        }

        var definitions = string.Join(",\n", ctes.Select(c => $"{c.Name} AS (\n{c.Sql.Trim().TrimEnd(';')}\n)"));
        var start = StatementStart(sql);
        var with = LeadingWith().Match(sql, start);
        return with.Success
            ? $"{sql[..(with.Index + with.Length)]} {definitions},\n{sql[(with.Index + with.Length)..]}"
            : $"{sql[..start]}WITH {definitions}\n{sql[start..]}";
    }

    /// <summary>Where the statement starts, past blanks and comments.</summary>
    private static int StatementStart(string sql)
    {
        var i = 0;
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i]))
            {
                i++;
            }
            else if (string.CompareOrdinal(sql, i, "--", 0, 2) == 0)
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (string.CompareOrdinal(sql, i, "/*", 0, 2) == 0)
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    [GeneratedRegex(@"\Gwith(\s+recursive)?(?=\s)", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingWith();
}
