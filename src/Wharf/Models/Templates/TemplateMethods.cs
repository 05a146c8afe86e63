namespace Wharf.Models.Templates;

/// <summary>
/// The methods of values that dbt projects call: a mapping's <c>items()</c>, <c>keys()</c>,
/// <c>values()</c>, <c>get()</c>; a string's <c>upper()</c>, <c>lower()</c>, <c>strip()</c>,
/// <c>replace()</c>, <c>split()</c>, <c>startswith()</c>, <c>endswith()</c>; a list's
/// <c>append()</c> and <c>extend()</c> (with <c>{% do %}</c>).
/// </summary>
internal static class TemplateMethods
{
    public static TemplateFunction? Find(object? target, string name) => (target, name) switch
    {
        (OrderedDictionary<string, object?> d, "items") => a => Done(a, d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()),
        (OrderedDictionary<string, object?> d, "keys") => a => Done(a, d.Keys.Cast<object?>().ToList()),
        (OrderedDictionary<string, object?> d, "values") => a => Done(a, d.Values.ToList()),
        (OrderedDictionary<string, object?> d, "get") => a =>
        {
            a.Allow("key", "default");
            var fallback = a.Get(1, "default");
            return d.TryGetValue(a.String(0, "key"), out var v) ? v : ReferenceEquals(fallback, TemplateArguments.Missing) ? null : fallback;
        },
        (string s, "upper") => a => Done(a, s.ToUpperInvariant()),
        (string s, "lower") => a => Done(a, s.ToLowerInvariant()),
        (string s, "strip") => a => Done(a, s.Trim()),
        (string s, "replace") => a =>
        {
            a.Allow("old", "new");
            var old = a.String(0, "old");
            return old.Length == 0 ? s : s.Replace(old, a.String(1, "new"), StringComparison.Ordinal);
        },
        (string s, "split") => a =>
        {
            a.Allow("sep");
            var separator = a.OptionalString(0, "sep");
            var parts = separator is null ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : s.Split(separator);
            return parts.Select(p => (object?)p).ToList();
        },
        (string s, "startswith") => a =>
        {
            a.Allow("prefix");
            return s.StartsWith(a.String(0, "prefix"), StringComparison.Ordinal);
        },
        (string s, "endswith") => a =>
        {
            a.Allow("suffix");
            return s.EndsWith(a.String(0, "suffix"), StringComparison.Ordinal);
        },
        (List<object?> l, "append") => a =>
        {
            a.Allow("item");
            l.Add(a.Get(0, "item"));
            return null;
        },
        (List<object?> l, "extend") => a =>
        {
            a.Allow("items");
            l.AddRange(TemplateValues.Items(a.Get(0, "items")));
            return null;
        },
        _ => null,
    };

    private static object? Done(TemplateArguments arguments, object? result)
    {
        arguments.Allow();
        return result;
    }
}
