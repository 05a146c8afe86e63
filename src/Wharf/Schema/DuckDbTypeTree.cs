namespace Wharf.Schema;

/// <summary>
/// A DuckDB type name as DESCRIBE prints it, parsed far enough to walk nested data:
/// <c>STRUCT(a INTEGER, "b c" VARCHAR[])</c> is a struct of an integer and a list of text.
/// </summary>
public sealed record DuckDbTypeTree(string Text, DuckDbTypeTree? Element = null, IReadOnlyList<(string Name, DuckDbTypeTree Type)>? Fields = null)
{
    public bool IsList => Element is not null;

    public bool IsStruct => Fields is not null;

    public static DuckDbTypeTree Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var position = 0;
        var tree = ParseType(type, ref position);
        return position == type.Length ? tree : new DuckDbTypeTree(type);
    }

    private static DuckDbTypeTree ParseType(string text, ref int position)
    {
        var start = position;
        DuckDbTypeTree tree;
        if (text.AsSpan(position).StartsWith("STRUCT(", StringComparison.Ordinal))
        {
            position += "STRUCT(".Length;
            var fields = new List<(string, DuckDbTypeTree)>();
            while (position < text.Length && text[position] != ')')
            {
                var name = ParseName(text, ref position);
                position++; // the space between name and type
                fields.Add((name, ParseType(text, ref position)));
                if (position < text.Length && text[position] == ',')
                {
                    position += 2; // ", "
                }
            }

            position++; // ')'
            tree = new DuckDbTypeTree(text[start..position], Fields: fields);
        }
        else
        {
            // A scalar (possibly with parentheses, e.g. DECIMAL(12,2) or MAP(VARCHAR, INTEGER)): up to the next
            // separator at this depth.
            var depth = 0;
            while (position < text.Length)
            {
                var c = text[position];
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

            tree = new DuckDbTypeTree(text[start..position]);
        }

        while (text.AsSpan(position).StartsWith("[]", StringComparison.Ordinal))
        {
            position += 2;
            tree = new DuckDbTypeTree(text[start..position], Element: tree);
        }

        return tree;
    }

    private static string ParseName(string text, ref int position)
    {
        if (text[position] != '"')
        {
            var start = position;
            while (text[position] != ' ')
            {
                position++;
            }

            return text[start..position];
        }

        var name = new System.Text.StringBuilder();
        position++;
        while (true)
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
    }
}
