namespace Wharf.Schema;

/// <summary>
/// A DuckDB type name as DESCRIBE prints it, parsed far enough to walk nested data:
/// <c>STRUCT(a INTEGER, "b c" VARCHAR[])</c> is a struct of an integer and a list of text.
/// Anything else is one scalar named by its text, including <c>MAP(…)</c>, <c>UNION(…)</c> and
/// fixed-size arrays (<c>INTEGER[3]</c>), which are not walked.
/// </summary>
internal sealed record DuckDbTypeTree(string Text, DuckDbTypeTree? Element = null, IReadOnlyList<(string Name, DuckDbTypeTree Type)>? Fields = null)
{
    public bool IsList => Element is not null;

    public bool IsStruct => Fields is not null;

    /// <summary>The tree of <paramref name="type"/>; a text it cannot walk is one scalar, never an error.</summary>
    public static DuckDbTypeTree Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var position = 0;
        return ParseType(type, ref position) is { } tree && position == type.Length ? tree : new DuckDbTypeTree(type);
    }

    /// <summary>The type starting at <paramref name="position"/>, which it moves past; null when the text is not a type.</summary>
    private static DuckDbTypeTree? ParseType(string text, ref int position)
    {
        var start = position;
        var tree = text.AsSpan(position).StartsWith("STRUCT(", StringComparison.Ordinal)
            ? ParseStruct(text, ref position)
            : ParseScalar(text, ref position);
        return tree is null ? null : ParseLists(text, start, tree, ref position);
    }

    private static DuckDbTypeTree? ParseStruct(string text, ref int position)
    {
        var start = position;
        position += "STRUCT(".Length;
        var fields = new List<(string, DuckDbTypeTree)>();
        while (position < text.Length && text[position] != ')')
        {
            if (ParseName(text, ref position) is not { } name || !Skip(text, ref position, " ") || ParseType(text, ref position) is not { } field)
            {
                return null;
            }

            fields.Add((name, field));
            if (!Skip(text, ref position, ", ") && !(position < text.Length && text[position] == ')'))
            {
                return null;
            }
        }

        return Skip(text, ref position, ")") ? new DuckDbTypeTree(text[start..position], Fields: fields) : null;
    }

    /// <summary>
    /// A scalar (possibly with parentheses, e.g. DECIMAL(12,2) or MAP(VARCHAR, INTEGER)): up to the next separator at
    /// this depth. Quoted names inside it (MAP(VARCHAR, STRUCT("a)" INTEGER))) are skipped whole.
    /// </summary>
    private static DuckDbTypeTree? ParseScalar(string text, ref int position)
    {
        var start = position;
        var depth = 0;
        while (position < text.Length)
        {
            var c = text[position];
            if (c == '"')
            {
                if (ParseName(text, ref position) is null)
                {
                    return null;
                }

                continue;
            }

            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
            else if ((c == ',' || c == '[') && depth == 0)
            {
                break;
            }

            position++;
        }

        return position == start || depth != 0 ? null : new DuckDbTypeTree(text[start..position]);
    }

    /// <summary>
    /// Lists: one element per "[]". A fixed-size array ("[3]") is not walked: it and whatever it holds stay one
    /// scalar, and only the lists of it that follow are lists.
    /// </summary>
    private static DuckDbTypeTree? ParseLists(string text, int start, DuckDbTypeTree tree, ref int position)
    {
        while (position < text.Length && text[position] == '[')
        {
            if (Skip(text, ref position, "[]"))
            {
                tree = new DuckDbTypeTree(text[start..position], Element: tree);
                continue;
            }

            var close = position + 1;
            while (close < text.Length && char.IsAsciiDigit(text[close]))
            {
                close++;
            }

            if (close == position + 1 || close == text.Length || text[close] != ']')
            {
                return null;
            }

            position = close + 1;
            tree = new DuckDbTypeTree(text[start..position]);
        }

        return tree;
    }

    /// <summary>A struct field's name, bare or in double quotes (a doubled quote inside is one quote); null when the text ends first.</summary>
    private static string? ParseName(string text, ref int position)
    {
        if (position >= text.Length)
        {
            return null;
        }

        if (text[position] != '"')
        {
            var start = position;
            while (position < text.Length && text[position] is not (' ' or ',' or '(' or ')'))
            {
                position++;
            }

            return position > start && position < text.Length && text[position] == ' ' ? text[start..position] : null;
        }

        var name = new System.Text.StringBuilder();
        position++;
        while (position < text.Length)
        {
            if (text[position] == '"' && position + 1 < text.Length && text[position + 1] == '"')
            {
                name.Append('"');
                position += 2;
            }
            else if (text[position] == '"')
            {
                position++;
                return name.ToString();
            }
            else
            {
                name.Append(text[position++]);
            }
        }

        return null;
    }

    /// <summary>Moves past <paramref name="expected"/> if the text continues with it.</summary>
    private static bool Skip(string text, ref int position, string expected)
    {
        if (!text.AsSpan(position).StartsWith(expected, StringComparison.Ordinal))
        {
            return false;
        }

        position += expected.Length;
        return true;
    }
}
