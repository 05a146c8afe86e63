using System.Collections.Immutable;
using System.Globalization;
using Wharf.Schema;
using YamlDotNet.RepresentationModel;

namespace Wharf.Projects;

/// <summary>The parts of a pipeline that describe its rows: declared types, contract, checks, processors.</summary>
internal sealed partial class ProjectReader
{
    private static readonly string[] RuleKeys = ["columns", "schema_contract", "max_nesting", "checks", "on_check_failure", "transform"];
    private static readonly string[] ContractKeys = ["tables", "columns", "data_type"];
    private static readonly string[] CheckOptionKeys = ["severity", "name"];

    private static readonly Dictionary<string, CheckKind> CheckKinds = new(StringComparer.Ordinal)
    {
        ["not_null"] = CheckKind.NotNull,
        ["unique"] = CheckKind.Unique,
        ["accepted_values"] = CheckKind.AcceptedValues,
        ["range"] = CheckKind.Range,
        ["regex"] = CheckKind.Regex,
        ["row_count"] = CheckKind.RowCount,
        ["freshness"] = CheckKind.Freshness,
        ["relationships"] = CheckKind.Relationships,
        ["expression"] = CheckKind.Expression,
        ["sql"] = CheckKind.Sql,
    };

    private static readonly Dictionary<string, ProcessorKind> ProcessorKinds = new(StringComparer.Ordinal)
    {
        ["dedupe"] = ProcessorKind.Dedupe,
        ["drop_nulls"] = ProcessorKind.DropNulls,
        ["fill_nulls"] = ProcessorKind.FillNulls,
        ["rename"] = ProcessorKind.Rename,
        ["cast"] = ProcessorKind.Cast,
        ["filter"] = ProcessorKind.Filter,
        ["derive"] = ProcessorKind.Derive,
        ["select"] = ProcessorKind.Select,
        ["exclude"] = ProcessorKind.Exclude,
        ["trim"] = ProcessorKind.Trim,
        ["lower"] = ProcessorKind.Lower,
        ["upper"] = ProcessorKind.Upper,
        ["parse_timestamp"] = ProcessorKind.ParseTimestamp,
        ["resample"] = ProcessorKind.Resample,
        ["unpivot"] = ProcessorKind.Unpivot,
        ["lookup"] = ProcessorKind.Lookup,
    };

    /// <summary>The rules declared directly in <paramref name="map"/> (a pipeline, or one entry of <c>per_table:</c>).</summary>
    private TableRules ReadRules(YamlMap map, string context)
    {
        var onFailure = map.Enum("on_check_failure", CheckFailure.Fail);
        var checks = ReadChecks(map.Get("checks"), context);
        if (onFailure == CheckFailure.Quarantine && checks.FirstOrDefault(c => !c.IsRowLevel && c.Severity == CheckSeverity.Error) is { } tableCheck)
        {
            throw Error(map.Get("on_check_failure")!, $"{context}: on_check_failure: quarantine moves failing rows aside, but the check '{tableCheck.Name}' ({tableCheck.Location}) judges the table as a whole. " +
                "Give it 'severity: warn', or use on_check_failure: fail.");
        }

        return new TableRules
        {
            Columns = ReadDeclaredTypes(map.Map("columns", keys: null), context),
            Contract = ReadContract(map.Get("schema_contract"), context),
            MaxNesting = map.Int("max_nesting") ?? TableRules.DefaultMaxNesting,
            Checks = checks,
            OnCheckFailure = onFailure,
            Transform = ReadTransform(map.Get("transform"), context),
        };
    }

    /// <summary><c>per_table:</c> of a database pipeline: rules for single tables, added to the pipeline's own.</summary>
    private ImmutableDictionary<string, TableRules> ReadPerTable(YamlMap? map, TableRules shared, string context)
    {
        if (map is null)
        {
            return ImmutableDictionary<string, TableRules>.Empty;
        }

        var tables = ImmutableDictionary.CreateBuilder<string, TableRules>(StringComparer.Ordinal);
        foreach (var (table, _, value) in map.Entries)
        {
            var entry = new YamlMap(value, this, $"table '{table}' of {context}", RuleKeys);
            var own = ReadRules(entry, $"{context}, table '{table}'");
            tables[table] = own with
            {
                Columns = shared.Columns.SetItems(own.Columns),
                Contract = entry.Get("schema_contract") is null ? shared.Contract : own.Contract,
                MaxNesting = entry.Get("max_nesting") is null ? shared.MaxNesting : own.MaxNesting,
                Checks = [.. shared.Checks, .. own.Checks],
                OnCheckFailure = entry.Get("on_check_failure") is null ? shared.OnCheckFailure : own.OnCheckFailure,
                Transform = [.. shared.Transform, .. own.Transform],
            };
        }

        return tables.ToImmutable();
    }

    private ImmutableDictionary<string, string> ReadDeclaredTypes(YamlMap? map, string context)
    {
        if (map is null)
        {
            return ImmutableDictionary<string, string>.Empty;
        }

        var types = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (column, _, value) in map.Entries)
        {
            types[column] = ReadType(value, $"the type of column '{column}' in {context}");
        }

        return types.ToImmutable();
    }

    /// <summary>A logical type name, returned as the DuckDB type it maps to.</summary>
    private string ReadType(YamlNode node, string what)
    {
        var text = Scalar(node, what);
        // In a { } mapping a comma ends a plain value, so decimal(12,2) arrives cut in two.
        var cut = text.Contains('(', StringComparison.Ordinal) && !text.Contains(')', StringComparison.Ordinal)
            ? " Inside { } a comma ends a plain value: quote the type, e.g. \"decimal(12,2)\", or write one 'column: type' per line."
            : "";
        return LogicalType.Parse(text)?.ToDuckDb()
            ?? throw Error(node, $"{what} is '{text}', which is not a type Wharf knows.{cut} Use one of: {LogicalType.Names}.");
    }

    private SchemaContract ReadContract(YamlNode? node, string context)
    {
        if (node is null)
        {
            return new SchemaContract();
        }

        if (node is YamlScalarNode)
        {
            var mode = ContractModeOf(node, $"'schema_contract' in {context}");
            return new SchemaContract(mode, mode, mode);
        }

        var map = new YamlMap(node, this, $"'schema_contract' in {context}", ContractKeys);
        ContractMode Read(string key) => map.Get(key) is { } value ? ContractModeOf(value, $"'{key}' of 'schema_contract' in {context}") : ContractMode.Evolve;
        return new SchemaContract(Read("tables"), Read("columns"), Read("data_type"));
    }

    private ContractMode ContractModeOf(YamlNode node, string what) => Scalar(node, what) switch
    {
        "evolve" => ContractMode.Evolve,
        "freeze" => ContractMode.Freeze,
        "discard_row" => ContractMode.DiscardRow,
        "discard_column" or "discard_value" => ContractMode.DiscardColumn,
        var other => throw Error(node, $"{what} must be one of evolve, freeze, discard_row, discard_column, not '{other}'."),
    };

    private ImmutableArray<CheckSettings> ReadChecks(YamlNode? node, string context)
    {
        if (node is null)
        {
            return [];
        }

        var list = node as YamlSequenceNode ?? throw Error(node, $"'checks' in {context} must be a list, e.g.\n  checks:\n    - not_null: [order_id]\n    - unique: order_id");
        var checks = ImmutableArray.CreateBuilder<CheckSettings>();
        foreach (var item in list.Children)
        {
            var map = new YamlMap(item, this, $"a check of {context}", [.. CheckKinds.Keys, .. CheckOptionKeys]);
            var kinds = map.Entries.Where(e => CheckKinds.ContainsKey(e.Key)).ToList();
            if (kinds.Count != 1)
            {
                throw Error(item, $"each check of {context} names exactly one kind ({string.Join(", ", CheckKinds.Keys)}), with optional 'severity:' and 'name:'; this one has {(kinds.Count == 0 ? "none" : string.Join(" and ", kinds.Select(k => k.Key)))}.");
            }

            var (key, _, value) = kinds[0];
            var severity = map.Enum("severity", CheckSeverity.Error);
            var name = map.String("name");
            var location = Location(item);
            foreach (var check in ReadCheck(CheckKinds[key], key, value, location, $"'{key}' check of {context}"))
            {
                checks.Add(check with { Severity = severity, Name = name ?? check.Name });
            }
        }

        // Reported where the second one is written, which is the one to rename.
        var duplicate = checks.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1)?.Take(2).ToList();
        return duplicate is null ? checks.ToImmutable()
            : throw new ProjectFileException(file, duplicate[1].Location.Line, duplicate[1].Location.Column,
                $"two checks of {context} are named '{duplicate[1].Name}' (the other at {duplicate[0].Location}); give one a 'name:' so their results can be told apart.");
    }

    private IEnumerable<CheckSettings> ReadCheck(CheckKind kind, string key, YamlNode value, SourceLocation location, string what)
    {
        CheckSettings Check(string name) => new(kind, name, location);
        switch (kind)
        {
            case CheckKind.NotNull:
                // One check per column, so each gets its own result and reason.
                return Names(value, what).Select(column => Check($"not_null({column})") with { Columns = [column] });
            case CheckKind.Unique:
                var key_ = Names(value, what);
                return [Check($"unique({string.Join(", ", key_)})") with { Columns = key_ }];
            case CheckKind.Expression:
                return [Check("expression: " + Scalar(value, what)) with { Sql = Scalar(value, what) }];
            case CheckKind.Sql:
                return [Check("sql") with { Sql = Scalar(value, what) }];
        }

        var map = kind switch
        {
            CheckKind.AcceptedValues => new YamlMap(value, this, what, ["column", "values"]),
            CheckKind.Range => new YamlMap(value, this, what, ["column", "min", "max", "inclusive"]),
            CheckKind.Regex => new YamlMap(value, this, what, ["column", "pattern"]),
            CheckKind.RowCount => new YamlMap(value, this, what, ["min", "max"]),
            CheckKind.Freshness => new YamlMap(value, this, what, ["column", "max_age"]),
            _ => new YamlMap(value, this, what, ["column", "to", "field"]),
        };
        var column = kind == CheckKind.RowCount ? "" : map.RequiredString("column");
        var check = Check($"{key}({column})") with { Columns = column.Length == 0 ? [] : [column] };
        switch (kind)
        {
            case CheckKind.AcceptedValues:
                var values = map.StringList("values");
                return values.IsEmpty ? throw Error(value, $"{what} needs 'values:' (the list of allowed values).") : [check with { Values = values }];
            case CheckKind.Range:
            case CheckKind.RowCount:
                var min = Number(map, "min", what);
                var max = Number(map, "max", what);
                if (min is null && max is null)
                {
                    throw Error(value, $"{what} needs 'min:', 'max:' or both.");
                }

                return [check with { Name = kind == CheckKind.RowCount ? "row_count" : check.Name, Min = min, Max = max, Inclusive = map.Bool("inclusive") ?? true }];
            case CheckKind.Regex:
                var pattern = map.RequiredString("pattern");
                try
                {
                    _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw Error(map.Get("pattern")!, $"the pattern of {what} is not a valid regular expression: {ex.Message}");
                }

                return [check with { Pattern = pattern }];
            case CheckKind.Freshness:
                var ageText = map.RequiredString("max_age");
                var age = Lookback.Parse(ageText) is { Duration: { } duration } ? duration
                    : throw Error(map.Get("max_age")!, $"'max_age' of {what} must be a duration such as 30m, 6h or 2d, not '{ageText}'.");
                return [check with { MaxAge = age }];
            default:
                var to = map.RequiredString("to");
                return [check with { Name = $"relationships({column} → {to})", ToTable = to, ToColumn = map.String("field") ?? column }];
        }
    }

    /// <summary>A number bound, kept as the SQL literal it is written as.</summary>
    private string? Number(YamlMap map, string key, string what)
    {
        if (map.String(key) is not { } text)
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? text
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _) ? Quote.Literal(text)
            : throw Error(map.Get(key)!, $"'{key}' of {what} must be a number (or a date/time for time columns), not '{text}'.");
    }

    /// <summary>A column name or a list of them.</summary>
    private ImmutableArray<string> Names(YamlNode value, string what)
    {
        var names = value switch
        {
            YamlSequenceNode list => [.. list.Children.Select(item => Scalar(item, $"each column of {what}"))],
            _ => ImmutableArray.Create(Scalar(value, what)),
        };
        return names.IsEmpty || names.Any(string.IsNullOrWhiteSpace) ? throw Error(value, $"{what} needs a column name or a list of them.") : names;
    }

    private ImmutableArray<ProcessorSettings> ReadTransform(YamlNode? node, string context)
    {
        if (node is null)
        {
            return [];
        }

        var list = node as YamlSequenceNode ?? throw Error(node, $"'transform' in {context} must be a list of processors, e.g.\n  transform:\n    - trim: [name]\n    - filter: \"amount > 0\"");
        var processors = ImmutableArray.CreateBuilder<ProcessorSettings>();
        foreach (var item in list.Children)
        {
            var position = processors.Count + 1;
            var map = new YamlMap(item, this, $"transform step {position} of {context}", ProcessorKinds.Keys);
            var entries = map.Entries.ToList();
            if (entries.Count != 1)
            {
                throw Error(item, $"transform step {position} of {context} must name exactly one processor ({string.Join(", ", ProcessorKinds.Keys)}).");
            }

            var (key, _, value) = entries[0];
            var what = $"transform step {position} ({key}) of {context}";
            processors.Add(ReadProcessor(new ProcessorSettings(ProcessorKinds[key], position, Location(item)), value, what));
        }

        return processors.ToImmutable();
    }

    private ProcessorSettings ReadProcessor(ProcessorSettings processor, YamlNode value, string what)
    {
        switch (processor.Kind)
        {
            case ProcessorKind.Filter:
                return processor with { Condition = Scalar(value, what) };
            case ProcessorKind.DropNulls or ProcessorKind.Select or ProcessorKind.Exclude or ProcessorKind.Trim or ProcessorKind.Lower or ProcessorKind.Upper:
                return processor with { Columns = Names(value, what) };
            case ProcessorKind.Dedupe:
                if (value is YamlScalarNode or YamlSequenceNode)
                {
                    return processor with { Columns = Names(value, what) };
                }

                var dedupe = new YamlMap(value, this, what, ["by", "keep", "order_by"]);
                var keep = dedupe.String("keep") ?? "last";
                return keep is "first" or "last"
                    ? processor with { Columns = dedupe.Get("by") is { } by ? Names(by, what) : throw Error(value, $"{what} needs 'by:' (the key columns)."), KeepLast = keep == "last", OrderBy = dedupe.String("order_by") }
                    : throw Error(dedupe.Get("keep")!, $"'keep' of {what} must be first or last, not '{keep}'.");
            case ProcessorKind.Resample:
                return processor with { Resample = ReadResample(value, what) };
            case ProcessorKind.Unpivot:
                var unpivot = new YamlMap(value, this, what, ["columns", "name", "value", "drop_nulls"]);
                return processor with
                {
                    Unpivot = new UnpivotSettings(
                        unpivot.Get("columns") is { } columns ? Names(columns, $"'columns' of {what}") : throw Error(value, $"{what} needs 'columns:' (names, or patterns such as \"*_mean\")."),
                        unpivot.String("name") ?? "name", unpivot.String("value") ?? "value", unpivot.Bool("drop_nulls") ?? false),
                };
            case ProcessorKind.Lookup:
                var lookup = new YamlMap(value, this, what, ["column", "table", "key", "name", "as"]);
                var (column, key) = (lookup.RequiredString("column"), lookup.String("key") ?? "id");
                return processor with
                {
                    Lookup = new LookupSettings(column, lookup.RequiredString("table"), key, lookup.String("name") ?? "name", lookup.String("as") ?? $"{column}_{key}"),
                };
            case ProcessorKind.ParseTimestamp when value is YamlMappingNode mapping && mapping.Children.ContainsKey(new YamlScalarNode("column")):
                var parse = new YamlMap(value, this, what, ["column", "format"]);
                return processor with { Pairs = [new(parse.RequiredString("column"), parse.RequiredString("format"))] };
        }

        // rename, cast, derive, fill_nulls, parse_timestamp: a mapping of column → value.
        var pairs = new YamlMap(value, this, what, keys: null).Entries
            .Select(e => new KeyValuePair<string, string>(e.Key, processor.Kind == ProcessorKind.Cast ? ReadType(e.Value, $"the type of '{e.Key}' in {what}") : Scalar(e.Value, $"'{e.Key}' in {what}")))
            .ToImmutableArray();
        return pairs.IsEmpty ? throw Error(value, $"{what} needs at least one 'column: value' pair.") : processor with { Pairs = pairs };
    }

    private ResampleSettings ReadResample(YamlNode value, string what)
    {
        var map = new YamlMap(value, this, what, ["time", "every", "by", "aggregate", "origin"]);
        var everyText = map.RequiredString("every");
        var every = Lookback.Parse(everyText) is { IsDuration: true } duration && duration.Duration > TimeSpan.Zero
            ? duration
            : throw Error(map.Get("every")!, $"'every' of {what} is '{everyText}'; give a window such as 30s, 10m, 1h or 1d.");
        var aggregate = map.Map("aggregate", keys: null) ?? throw Error(value, $"{what} needs 'aggregate:', e.g. {{ wind_speed: [mean, max] }}.");
        var columns = ImmutableArray.CreateBuilder<KeyValuePair<string, ImmutableArray<string>>>();
        foreach (var (column, _, functions) in aggregate.Entries)
        {
            var names = Names(functions, $"the aggregates of '{column}' in {what}");
            if (names.FirstOrDefault(f => !ResampleSettings.Functions.ContainsKey(f)) is { } unknown)
            {
                throw Error(functions, $"'{unknown}' in the aggregates of '{column}' in {what} is not one of {string.Join(", ", ResampleSettings.Functions.Keys)}.");
            }

            columns.Add(new(column, names));
        }

        return columns.Count == 0
            ? throw Error(value, $"'aggregate' of {what} names no column.")
            : new ResampleSettings(map.RequiredString("time"), every, map.StringList("by"), columns.ToImmutable(), map.String("origin"));
    }

    private SourceLocation Location(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);
}
