using System.Text.RegularExpressions;

namespace Wharf.Sources.Http;

/// <summary>
/// <c>{{ name }}</c> in an endpoint, a parameter, a header or a body string: replaced by the
/// partition's variable. An unknown name is an error that lists the known ones.
/// </summary>
internal static partial class Template
{
    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex Reference();

    public static bool HasReferences(string text) => Reference().IsMatch(text);

    /// <param name="escape">How a value is written (e.g. escaped for a URL path); as is when null.</param>
    public static string Render(string text, IReadOnlyDictionary<string, string> variables, Func<string, string>? escape = null, string what = "")
    {
        ArgumentNullException.ThrowIfNull(variables);
        return Reference().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            return variables.TryGetValue(name, out var value) ? escape is null ? value : escape(value)
                : throw new WharfException($"{what} uses {{{{ {name} }}}}, which is not a variable here. " +
                    (variables.Count == 0 ? "Only 'for_each:' partitions define variables." : $"Variables: {string.Join(", ", variables.Keys)}."));
        });
    }
}
