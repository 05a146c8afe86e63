using System.CommandLine;

namespace Wharf.Cli.Commands;

/// <summary><c>--var KEY=VALUE</c>: sets <c>${KEY}</c> in wharf.yml for one run, ahead of the environment and .env.</summary>
internal static class VariableOption
{
    public static Option<string[]> Create() => new("--var")
    {
        Description = "Set ${KEY} in wharf.yml for this run: --var date=2024-01-01 (repeatable). Wins over the environment and .env.",
        HelpName = "KEY=VALUE",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The environment a project is read with: the <c>--var</c> values first, then the process's environment.</summary>
    /// <exception cref="UsageException">A value is not <c>KEY=VALUE</c> with a valid name.</exception>
    public static Func<string, string?> Environment(ParseResult parse, Option<string[]> option)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parse.GetValue(option) ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? pair[..equals] : "";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
            {
                throw new UsageException($"--var takes KEY=VALUE, with a name of letters, digits and underscores (e.g. --var date=2024-01-01), not '{pair}'.");
            }

            values[name] = pair[(equals + 1)..];
        }

        return name => values.TryGetValue(name, out var value) ? value : System.Environment.GetEnvironmentVariable(name);
    }
}
