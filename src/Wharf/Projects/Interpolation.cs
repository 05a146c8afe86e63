using System.Text.RegularExpressions;

namespace Wharf.Projects;

/// <summary>
/// Replaces <c>${VAR}</c> and <c>${VAR:-default}</c> with the environment's value, then the
/// <c>.env</c> file's. <c>$${</c> stands for a literal <c>${</c>.
/// </summary>
internal sealed partial class Interpolation(IReadOnlyDictionary<string, string> dotEnv, Func<string, string?> environment)
{
    [GeneratedRegex(@"\$\$\{|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(:-(?<default>[^}]*))?\}|\$\{(?<bad>[^}]*)\}?")]
    private static partial Regex Reference();

    /// <summary>Expands references; <paramref name="fail"/> builds the error for a missing or malformed one.</summary>
    public string Expand(string value, Func<string, Exception> fail) => Reference().Replace(value, match =>
    {
        if (match.Value == "$${")
        {
            return "${";
        }

        if (match.Groups["bad"].Success)
        {
            throw fail($"'{match.Value}' is not a valid variable reference; write ${{NAME}} with letters, digits and underscores.");
        }

        var name = match.Groups["name"].Value;
        var found = environment(name) ?? (dotEnv.TryGetValue(name, out var fromFile) ? fromFile : null);
        var hasDefault = match.Groups["default"].Success;

        // As in the shell: ${VAR:-default} uses the default when VAR is unset or empty.
        if (found is not null && !(hasDefault && found.Length == 0))
        {
            return found;
        }

        return hasDefault
            ? match.Groups["default"].Value
            : throw fail($"the environment variable {name} is not set. Set it in the environment or in the project's .env file.");
    });
}
