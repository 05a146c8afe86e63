namespace Wharf.Projects;

/// <summary>
/// Reads a <c>.env</c> file: <c>KEY=value</c> lines, optional <c>export</c>, quotes and <c>#</c> comments.
/// The values are never written back to the process environment.
/// </summary>
internal static class DotEnvFile
{
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return values;
        }

        var lines = await File.ReadAllLinesAsync(path, cancellationToken);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ProjectFileException(path, i + 1, 1, "expected KEY=value.");
            }

            values[line[..equals].Trim()] = Unquote(line[(equals + 1)..].Trim());
        }

        return values;
    }

    private static string Unquote(string value)
    {
        // A quoted value ends at its closing quote; anything after it can only be a comment.
        var close = value.Length >= 2 && (value[0] == '"' || value[0] == '\'') ? value.LastIndexOf(value[0]) : -1;
        if (close > 0 && (close == value.Length - 1 || value[(close + 1)..].TrimStart().StartsWith('#')))
        {
            var inner = value[1..close];
            return value[0] == '"' ? inner.Replace("\\n", "\n").Replace("\\\"", "\"") : inner;
        }

        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return comment >= 0 ? value[..comment].TrimEnd() : value;
    }
}
