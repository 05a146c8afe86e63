using System.Globalization;

namespace Wharf.Models.Templates;

/// <summary>
/// The filters dbt projects use: <c>upper</c>, <c>lower</c>, <c>trim</c>, <c>replace</c>,
/// <c>join</c>, <c>default</c> (<c>d</c>), <c>length</c> (<c>count</c>), and the conversions
/// <c>string</c>, <c>int</c>, <c>float</c>, <c>abs</c>, <c>round</c>, <c>first</c>, <c>last</c>, <c>list</c>.
/// </summary>
internal static class TemplateFilters
{
    public static readonly IReadOnlyList<string> Names =
        ["upper", "lower", "trim", "replace", "join", "default", "d", "length", "count", "string", "int", "float", "abs", "round", "first", "last", "list"];

    /// <summary><paramref name="value"/> is a <see cref="TemplateUndefined"/> only for <c>default</c>; the renderer refuses it elsewhere.</summary>
    public static object? Apply(string name, object? value, TemplateArguments arguments)
    {
        switch (name)
        {
            case "default" or "d":
                arguments.Allow("default_value", "boolean");
                var fallback = arguments.Get(0, "default_value");
                fallback = ReferenceEquals(fallback, TemplateArguments.Missing) ? "" : fallback;
                var boolean = TemplateValues.IsTrue(Given(arguments.Get(1, "boolean"), false));
                return value is TemplateUndefined || (boolean && !TemplateValues.IsTrue(value)) ? fallback : value;
            case "upper":
                arguments.Allow();
                return Text(value).ToUpperInvariant();
            case "lower":
                arguments.Allow();
                return Text(value).ToLowerInvariant();
            case "trim":
                arguments.Allow("chars");
                var chars = arguments.OptionalString(0, "chars");
                return chars is null ? Text(value).Trim() : Text(value).Trim(chars.ToCharArray());
            case "replace":
                arguments.Allow("old", "new", "count");
                return Replace(Text(value), arguments.String(0, "old"), arguments.String(1, "new"), Given(arguments.Get(2, "count"), null) as long?);
            case "join":
                arguments.Allow("d", "attribute");
                var separator = arguments.OptionalString(0, "d") ?? "";
                return string.Join(separator, TemplateValues.Items(value).Select(TemplateValues.Display));
            case "length" or "count":
                arguments.Allow();
                return value switch
                {
                    string s => (long)s.Length,
                    System.Collections.ICollection c => (long)c.Count,
                    _ => throw new TemplateFunctionException($"'{name}' needs a string, a list or a mapping, not {TemplateValues.Repr(value)}."),
                };
            case "string":
                arguments.Allow();
                return TemplateValues.Display(value);
            case "int":
                arguments.Allow("default");
                return ToInteger(value) ?? Given(arguments.Get(0, "default"), 0L);
            case "float":
                arguments.Allow("default");
                return ToFloat(value) ?? Given(arguments.Get(0, "default"), 0.0);
            case "abs":
                arguments.Allow();
                return value switch
                {
                    long l => (object)Math.Abs(l),
                    double d => Math.Abs(d),
                    _ => throw new TemplateFunctionException($"'abs' needs a number, not {TemplateValues.Repr(value)}."),
                };
            case "round":
                arguments.Allow("precision", "method");
                var precision = (int)(Given(arguments.Get(0, "precision"), 0L) as long? ?? 0);
                var number = ToFloat(value) ?? throw new TemplateFunctionException($"'round' needs a number, not {TemplateValues.Repr(value)}.");
                return (arguments.OptionalString(1, "method") ?? "common") switch
                {
                    "common" => Math.Round(number, precision, MidpointRounding.AwayFromZero),
                    "ceil" => Math.Ceiling(number * Math.Pow(10, precision)) / Math.Pow(10, precision),
                    "floor" => Math.Floor(number * Math.Pow(10, precision)) / Math.Pow(10, precision),
                    var other => throw new TemplateFunctionException($"'round' method '{other}' is not one of common, ceil, floor."),
                };
            case "first" or "last":
                arguments.Allow();
                var items = TemplateValues.Items(value);
                return items.Count == 0 ? null : name == "first" ? items[0] : items[^1];
            case "list":
                arguments.Allow();
                return new List<object?>(TemplateValues.Items(value));
            default:
                throw new TemplateFunctionException($"there is no filter '{name}'; Wharf's templates have {string.Join(", ", Names)}.");
        }
    }

    private static object? Given(object? argument, object? fallback) => ReferenceEquals(argument, TemplateArguments.Missing) ? fallback : argument;

    private static string Text(object? value) => TemplateValues.Display(value);

    private static string Replace(string text, string old, string replacement, long? count)
    {
        if (count is null or < 0 || old.Length == 0)
        {
            return old.Length == 0 ? text : text.Replace(old, replacement, StringComparison.Ordinal);
        }

        var result = text;
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            var found = result.IndexOf(old, at, StringComparison.Ordinal);
            if (found < 0)
            {
                break;
            }

            result = string.Concat(result.AsSpan(0, found), replacement, result.AsSpan(found + old.Length));
            at = found + replacement.Length;
        }

        return result;
    }

    private static long? ToInteger(object? value) => value switch
    {
        long l => l,
        double d => (long)Math.Truncate(d),
        bool b => b ? 1 : 0,
        string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => (long)Math.Truncate(d),
        _ => null,
    };

    private static double? ToFloat(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
