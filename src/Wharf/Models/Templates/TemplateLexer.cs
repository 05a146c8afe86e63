using System.Text;

namespace Wharf.Models.Templates;

/// <summary>
/// Splits a template into text and tags: <c>{{ }}</c>, <c>{% %}</c>, <c>{# #}</c> (dropped), with
/// Jinja's whitespace control (<c>{%-</c> strips the whitespace before a tag, <c>-%}</c> the
/// whitespace after it) and <c>{% raw %}…{% endraw %}</c> kept as text.
/// </summary>
internal static class TemplateLexer
{
    public static List<TemplateSegment> Split(TemplateSource source) => new Splitter(source).Split();

    /// <summary>One pass over a template, gathering the text between tags until a tag ends it.</summary>
    private sealed class Splitter(TemplateSource source)
    {
        private readonly string text = source.Text;
        private readonly List<TemplateSegment> segments = [];
        private readonly StringBuilder pending = new();
        private int pendingOffset;

        public List<TemplateSegment> Split()
        {
            var trimNext = false;
            var i = 0;
            while (i < text.Length)
            {
                var open = NextOpening(text, i);
                AppendText(i, open < 0 ? text.Length : open, trimNext);
                if (open < 0)
                {
                    break;
                }

                var kind = text[open + 1];
                var trimBefore = open + 2 < text.Length && text[open + 2] == '-';
                var contentStart = open + 2 + (trimBefore ? 1 : 0);
                var close = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
                var closeAt = FindClose(source, contentStart, close, kind != '#');
                var trimAfter = closeAt > contentStart && text[closeAt - 1] == '-';
                var content = text[contentStart..(trimAfter ? closeAt - 1 : closeAt)];
                if (trimBefore)
                {
                    TrimEnd(pending);
                }

                i = closeAt + 2;
                trimNext = trimAfter;
                if (kind == '#')
                {
                    continue;
                }

                if (kind == '%' && content.Trim() == "raw")
                {
                    (i, trimNext) = Raw(i, trimAfter);
                    continue;
                }

                Flush();
                segments.Add(new TemplateSegment(kind == '{' ? SegmentKind.Output : SegmentKind.Statement, content, contentStart));
                pendingOffset = i;
            }

            Flush();
            return segments;
        }

        private void AppendText(int from, int to, bool trimStart)
        {
            if (trimStart)
            {
                while (from < to && char.IsWhiteSpace(text[from]))
                {
                    from++;
                }
            }

            if (pending.Length == 0)
            {
                pendingOffset = from;
            }

            pending.Append(text, from, to - from);
        }

        private void Flush()
        {
            if (pending.Length > 0)
            {
                segments.Add(new TemplateSegment(SegmentKind.Text, pending.ToString(), pendingOffset));
                pending.Clear();
            }
        }

        /// <summary>{% raw %}: everything up to {% endraw %} is text, as written. Returns where to go on, and whether the end tag trims after it.</summary>
        private (int Next, bool TrimAfterEnd) Raw(int from, bool trimStart)
        {
            var at = from;
            while (true)
            {
                var open = text.IndexOf("{%", at, StringComparison.Ordinal);
                if (open < 0)
                {
                    throw source.Error(from, "'{% raw %}' is never closed: add '{% endraw %}'.");
                }

                var contentStart = open + 2 + (open + 2 < text.Length && text[open + 2] == '-' ? 1 : 0);
                var closeAt = text.IndexOf("%}", contentStart, StringComparison.Ordinal);
                if (closeAt > 0 && text[contentStart..closeAt].Trim().TrimEnd('-').Trim() == "endraw")
                {
                    AppendText(from, open, trimStart);
                    if (contentStart > open + 2)
                    {
                        TrimEnd(pending);
                    }

                    return (closeAt + 2, text[closeAt - 1] == '-');
                }

                at = open + 2;
            }
        }
    }

    private static int NextOpening(string text, int from)
    {
        for (var i = text.IndexOf('{', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('{', i + 1))
        {
            if (text[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The closing delimiter, skipping quoted strings inside expressions (<c>{{ "}}" }}</c>).</summary>
    private static int FindClose(TemplateSource source, int from, string close, bool quotesMatter)
    {
        var text = source.Text;
        char? quote = null;
        for (var i = from; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (quotesMatter && c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == close[0] && text[i + 1] == close[1])
            {
                return i;
            }
        }

        var what = close == "}}" ? "'{{'" : close == "%}" ? "'{%'" : "the comment '{#'";
        throw source.Error(from - 2, $"{what} is never closed: add '{close}'.");
    }

    private static void TrimEnd(StringBuilder text)
    {
        var length = text.Length;
        while (length > 0 && char.IsWhiteSpace(text[length - 1]))
        {
            length--;
        }

        text.Length = length;
    }
}
