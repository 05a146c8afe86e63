using System.Collections.Immutable;

namespace Wharf.Models.Templates;

/// <summary>
/// Builds the tree of a template from its segments. Supported tags: <c>if/elif/else/endif</c>,
/// <c>for/else/endfor</c>, <c>set</c> (and <c>set … endset</c>), <c>macro/endmacro</c>, <c>do</c>
/// and <c>raw</c> (in the lexer); any other tag is an error that names it.
/// </summary>
internal sealed class TemplateParser
{
    private const string Supported = "if, elif, else, for, set, macro, do and raw";
    private readonly TemplateSource source;
    private readonly List<TemplateSegment> segments;
    private int position;

    private TemplateParser(TemplateSource source, List<TemplateSegment> segments)
    {
        this.source = source;
        this.segments = segments;
    }

    public static ImmutableArray<TemplateNode> Parse(TemplateSource source)
    {
        var parser = new TemplateParser(source, TemplateLexer.Split(source));
        var (body, end) = parser.Body(opener: null, []);
        return end is null ? body : throw source.Error(end.Value.Segment.Offset, $"'{end.Value.Keyword}' has no opening tag.");
    }

    /// <summary>Nodes up to one of <paramref name="stops"/> (returned with its tag's parser), or the end of the template.</summary>
    private (ImmutableArray<TemplateNode> Body, (string Keyword, TemplateSegment Segment, ExpressionParser Tag)? End) Body(
        (string Keyword, int Offset)? opener, string[] stops)
    {
        var nodes = ImmutableArray.CreateBuilder<TemplateNode>();
        while (position < segments.Count)
        {
            var segment = segments[position++];
            switch (segment.Kind)
            {
                case SegmentKind.Text:
                    nodes.Add(new TextNode(segment.Content));
                    break;
                case SegmentKind.Output:
                    nodes.Add(new OutputNode(ExpressionParser.ParseWhole(source, segment.Content, segment.Offset)));
                    break;
                default:
                    var tag = new ExpressionParser(source, ExpressionLexer.Tokens(source, segment.Content, segment.Offset));
                    var at = tag.Current.Offset;
                    var keyword = tag.ExpectName($"a tag name ({Supported})");
                    segment = segment with { Offset = at };
                    if (stops.Contains(keyword))
                    {
                        return (nodes.ToImmutable(), (keyword, segment, tag));
                    }

                    nodes.Add(Statement(keyword, segment, tag, opener));
                    break;
            }
        }

        if (opener is { } open)
        {
            throw source.Error(open.Offset, $"'{{% {open.Keyword} %}}' is never closed: add '{{% {stops[^1]} %}}'.");
        }

        return (nodes.ToImmutable(), null);
    }

    private TemplateNode Statement(string keyword, TemplateSegment segment, ExpressionParser tag, (string Keyword, int Offset)? opener)
    {
        switch (keyword)
        {
            case "if":
                return If(segment, tag);
            case "for":
                return For(segment, tag);
            case "set":
                return Set(segment, tag);
            case "macro":
                return Macro(segment, tag);
            case "do":
                var expression = tag.Expression();
                tag.ExpectEnd();
                return new DoNode(expression);
            case "elif" or "else" or "endif" or "endfor" or "endset" or "endmacro" or "endraw":
                var inside = opener is { } open ? $" inside the '{open.Keyword}' opened at line {source.Position(open.Offset).Line}" : "";
                throw source.Error(segment.Offset, $"'{{% {keyword} %}}' is out of place{inside}.");
            default:
                throw source.Error(segment.Offset, $"the tag '{{% {keyword} %}}' is not supported; Wharf's templates have {Supported}.");
        }
    }

    private IfNode If(TemplateSegment segment, ExpressionParser tag)
    {
        var branches = ImmutableArray.CreateBuilder<(TemplateExpression, ImmutableArray<TemplateNode>)>();
        var condition = tag.Expression();
        tag.ExpectEnd();
        while (true)
        {
            var (body, end) = Body(("if", segment.Offset), ["elif", "else", "endif"]);
            branches.Add((condition, body));
            var (keyword, _, rest) = end!.Value;
            if (keyword == "elif")
            {
                condition = rest.Expression();
                rest.ExpectEnd();
                continue;
            }

            rest.ExpectEnd();
            if (keyword == "endif")
            {
                return new IfNode(branches.ToImmutable(), []);
            }

            var (otherwise, last) = Body(("if", segment.Offset), ["endif"]);
            last!.Value.Tag.ExpectEnd();
            return new IfNode(branches.ToImmutable(), otherwise);
        }
    }

    private ForNode For(TemplateSegment segment, ExpressionParser tag)
    {
        var targets = Names(tag, "a loop variable");
        if (!tag.AcceptName("in"))
        {
            throw source.Error(tag.Current.Offset, "expected 'in' after the loop variables ({% for x in items %}).");
        }

        var iterable = tag.Expression(allowConditional: false);
        var filter = tag.AcceptName("if") ? tag.Expression(allowConditional: false) : null;
        tag.ExpectEnd();
        var (body, end) = Body(("for", segment.Offset), ["else", "endfor"]);
        end!.Value.Tag.ExpectEnd();
        var otherwise = ImmutableArray<TemplateNode>.Empty;
        if (end.Value.Keyword == "else")
        {
            (otherwise, var last) = Body(("for", segment.Offset), ["endfor"]);
            last!.Value.Tag.ExpectEnd();
        }

        return new ForNode(targets, iterable, filter, body, otherwise, segment.Offset);
    }

    private SetNode Set(TemplateSegment segment, ExpressionParser tag)
    {
        var targets = Names(tag, "a variable name");
        if (tag.Accept("="))
        {
            var value = tag.Expression();
            if (tag.Accept(","))
            {
                var items = ImmutableArray.CreateBuilder<TemplateExpression>();
                items.Add(value);
                do
                {
                    items.Add(tag.Expression());
                }
                while (tag.Accept(","));
                value = new ListExpression(items.ToImmutable(), value.Offset);
            }

            tag.ExpectEnd();
            return new SetNode(targets, value, [], segment.Offset);
        }

        tag.ExpectEnd();
        if (targets.Length > 1)
        {
            throw source.Error(segment.Offset, "a '{% set %}' block sets one variable.");
        }

        var (body, end) = Body(("set", segment.Offset), ["endset"]);
        end!.Value.Tag.ExpectEnd();
        return new SetNode(targets, null, body, segment.Offset);
    }

    private MacroNode Macro(TemplateSegment segment, ExpressionParser tag)
    {
        var name = tag.ExpectName("the macro's name");
        var parameters = ImmutableArray.CreateBuilder<(string, TemplateExpression?)>();
        tag.Expect("(");
        while (!tag.Accept(")"))
        {
            var parameter = tag.ExpectName("a parameter name");
            TemplateExpression? fallback = tag.Accept("=") ? tag.Expression() : null;
            if (fallback is null && parameters.Any(p => p.Item2 is not null))
            {
                throw source.Error(segment.Offset, $"the parameter '{parameter}' of macro '{name}' needs a default, as those before it have.");
            }

            parameters.Add((parameter, fallback));
            if (!tag.Current.Is(")"))
            {
                tag.Expect(",");
            }
        }

        tag.ExpectEnd();
        var (body, end) = Body(("macro", segment.Offset), ["endmacro"]);
        end!.Value.Tag.AcceptName(name);
        end.Value.Tag.ExpectEnd();
        return new MacroNode(name, parameters.ToImmutable(), body, segment.Offset);
    }

    private static ImmutableArray<string> Names(ExpressionParser tag, string what)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        var parenthesized = tag.Accept("(");
        do
        {
            names.Add(tag.ExpectName(what));
        }
        while (tag.Accept(","));
        if (parenthesized)
        {
            tag.Expect(")");
        }

        return names.ToImmutable();
    }
}
