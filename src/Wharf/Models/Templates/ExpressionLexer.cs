using System.Globalization;
using System.Text;

namespace Wharf.Models.Templates;

/// <summary>Tokens of the expression inside a tag.</summary>
internal static class ExpressionLexer
{
    private static readonly string[] Operators =
        ["**", "//", "==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "|", "~", "+", "-", "*", "/", "%", "<", ">", "="];

    public static List<ExpressionToken> Tokens(TemplateSource source, string text, int offset)
    {
        var tokens = new List<ExpressionToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new ExpressionToken(TokenKind.Name, text[start..i], offset + start));
            }
            else if (char.IsDigit(c))
            {
                tokens.Add(Number(source, text, ref i, offset));
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(String(source, text, ref i, offset));
            }
            else
            {
                var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                    ?? throw source.Error(offset + i, $"unexpected character '{c}' in an expression.");
                tokens.Add(new ExpressionToken(TokenKind.Operator, op, offset + i));
                i += op.Length;
            }
        }

        tokens.Add(new ExpressionToken(TokenKind.End, "", offset + text.Length));
        return tokens;
    }

    private static ExpressionToken Number(TemplateSource source, string text, ref int i, int offset)
    {
        var start = i;
        while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        var isFloat = false;
        if (i + 1 < text.Length && text[i] == '.' && char.IsDigit(text[i + 1]))
        {
            isFloat = true;
            i++;
            while (i < text.Length && char.IsDigit(text[i]))
            {
                i++;
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var exponent = i + 1 < text.Length && text[i + 1] is '+' or '-' ? i + 2 : i + 1;
            if (exponent < text.Length && char.IsDigit(text[exponent]))
            {
                isFloat = true;
                i = exponent;
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }
            }
        }

        var digits = text[start..i].Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
        {
            return new ExpressionToken(TokenKind.Float, digits, offset + start, double.Parse(digits, CultureInfo.InvariantCulture));
        }

        // Template integers are 64-bit: a larger literal is refused rather than rounded or wrapped.
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var integer)
            ? new ExpressionToken(TokenKind.Integer, digits, offset + start, integer)
            : throw source.Error(offset + start, $"the integer {digits} is too large: template integers are 64-bit (at most {long.MaxValue}); write it as a string, or as a float ({digits}.0).");
    }

    private static ExpressionToken String(TemplateSource source, string text, ref int i, int offset)
    {
        var quote = text[i];
        var start = i++;
        var value = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                value.Append(Escaped(text[i]) ?? "\\" + text[i]);
            }
            else
            {
                value.Append(text[i]);
            }

            i++;
        }

        if (i >= text.Length)
        {
            throw source.Error(offset + start, $"the string starting here is never closed: add {quote}.");
        }

        i++;
        return new ExpressionToken(TokenKind.String, text[start..i], offset + start, value.ToString());
    }

    private static string? Escaped(char c) => c switch
    {
        'n' => "\n",
        't' => "\t",
        'r' => "\r",
        '\\' => "\\",
        '\'' => "'",
        '"' => "\"",
        _ => null,
    };
}
