namespace Wharf.Bench;

/// <summary><c>--name value</c> pairs after the command; every option takes a value.</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string> values;

    private BenchArguments(Dictionary<string, string> values) => this.values = values;

    public static BenchArguments Parse(ReadOnlySpan<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new BenchUsageException($"expected '--option value', got '{args[i]}'.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new BenchArguments(values);
    }

    public string Require(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new BenchUsageException($"--{name} is required.");

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public long RequireLong(string name)
    {
        var text = Require(name);
        return long.TryParse(text, out var value) && value > 0
            ? value
            : throw new BenchUsageException($"--{name} must be a positive integer, got '{text}'.");
    }
}
