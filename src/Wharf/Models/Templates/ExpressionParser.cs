using System.Collections.Immutable;

namespace Wharf.Models.Templates;

/// <summary>
/// Jinja's expression grammar, by precedence: <c>x if c else y</c>, <c>or</c>, <c>and</c>,
/// <c>not</c>, comparisons (<c>== != &lt; &gt; &lt;= &gt;= in</c>, <c>not in</c>),
/// <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>, unary <c>- +</c>, then literals, names, lists,
/// dicts, the postfix <c>.attr</c>, <c>[index]</c>, <c>(call)</c>, then <c>| filter</c> and <c>is test</c>.
/// </summary>
internal sealed class ExpressionParser(TemplateSource source, List<ExpressionToken> tokens)
{
    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", ">", "<=", ">="];
    private int position;

    public ExpressionToken Current => tokens[position];

    public bool AtEnd => Current.Kind == TokenKind.End;

    public static TemplateExpression ParseWhole(TemplateSource source, string text, int offset)
    {
        var parser = new ExpressionParser(source, ExpressionLexer.Tokens(source, text, offset));
        var expression = parser.Expression();
        parser.ExpectEnd();
        return expression;
    }

    public void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw source.Error(Current.Offset, $"unexpected '{Current.Text}': the expression ended before it.");
        }
    }

    public ExpressionToken Advance() => tokens[position++];

    public bool Accept(string op)
    {
        if (Current.Is(op))
        {
            position++;
            return true;
        }

        return false;
    }

    public bool AcceptName(string name)
    {
        if (Current.IsName(name))
        {
            position++;
            return true;
        }

        return false;
    }

    public void Expect(string op)
    {
        if (!Accept(op))
        {
            throw source.Error(Current.Offset, $"expected '{op}' here, not {Describe(Current)}.");
        }
    }

    public string ExpectName(string what)
    {
        if (Current.Kind != TokenKind.Name)
        {
            throw source.Error(Current.Offset, $"expected {what} here, not {Describe(Current)}.");
        }

        return Advance().Text;
    }

    public TemplateExpression Expression(bool allowConditional = true)
    {
        var value = Or();
        if (allowConditional && Current.IsName("if"))
        {
            var offset = Advance().Offset;
            var condition = Or();
            var otherwise = AcceptName("else") ? Expression() : null;
            return new ConditionalExpression(condition, value, otherwise, offset);
        }

        return value;
    }

    private TemplateExpression Or()
    {
        var left = And();
        while (Current.IsName("or"))
        {
            var offset = Advance().Offset;
            left = new BinaryExpression("or", left, And(), offset);
        }

        return left;
    }

    private TemplateExpression And()
    {
        var left = Not();
        while (Current.IsName("and"))
        {
            var offset = Advance().Offset;
            left = new BinaryExpression("and", left, Not(), offset);
        }

        return left;
    }

    private TemplateExpression Not()
    {
        if (Current.IsName("not"))
        {
            var offset = Advance().Offset;
            return new UnaryExpression("not", Not(), offset);
        }

        return Compare();
    }

    private TemplateExpression Compare()
    {
        var left = Add();
        while (true)
        {
            var token = Current;
            if (token.Kind == TokenKind.Operator && Comparisons.Contains(token.Text))
            {
                Advance();
                left = new BinaryExpression(token.Text, left, Add(), token.Offset);
            }
            else if (token.IsName("in"))
            {
                Advance();
                left = new BinaryExpression("in", left, Add(), token.Offset);
            }
            else if (token.IsName("not") && tokens[position + 1].IsName("in"))
            {
                position += 2;
                left = new BinaryExpression("not in", left, Add(), token.Offset);
            }
            else
            {
                return left;
            }
        }
    }

    private TemplateExpression Add()
    {
        var left = Concat();
        while (Current.Is("+") || Current.Is("-"))
        {
            var token = Advance();
            left = new BinaryExpression(token.Text, left, Concat(), token.Offset);
        }

        return left;
    }

    private TemplateExpression Concat()
    {
        var left = Multiply();
        while (Current.Is("~"))
        {
            var token = Advance();
            left = new BinaryExpression("~", left, Multiply(), token.Offset);
        }

        return left;
    }

    private TemplateExpression Multiply()
    {
        var left = Power();
        while (Current.Is("*") || Current.Is("/") || Current.Is("//") || Current.Is("%"))
        {
            var token = Advance();
            left = new BinaryExpression(token.Text, left, Power(), token.Offset);
        }

        return left;
    }

    private TemplateExpression Power()
    {
        var left = Unary();
        while (Current.Is("**"))
        {
            var token = Advance();
            left = new BinaryExpression("**", left, Unary(), token.Offset);
        }

        return left;
    }

    /// <summary>
    /// As Jinja: a sign binds tighter than filters and tests (<c>-3 | abs</c> is 3), and filters
    /// and tests tighter than arithmetic (<c>1 + x | int</c>).
    /// </summary>
    private TemplateExpression Unary(bool withFilters = true)
    {
        TemplateExpression node;
        if (Current.Is("-") || Current.Is("+"))
        {
            var token = Advance();
            node = new UnaryExpression(token.Text, Unary(withFilters: false), token.Offset);
        }
        else
        {
            node = Primary();
        }

        node = Postfix(node);
        return withFilters ? Filters(node) : node;
    }

    /// <summary><c>.attr</c>, <c>[index]</c>, <c>(call)</c>.</summary>
    private TemplateExpression Postfix(TemplateExpression target)
    {
        while (true)
        {
            var token = Current;
            if (Accept("."))
            {
                target = new AttributeExpression(target, ExpectName("an attribute name after '.'"), token.Offset);
            }
            else if (Accept("["))
            {
                var index = Expression();
                Expect("]");
                target = new IndexExpression(target, index, token.Offset);
            }
            else if (token.Is("("))
            {
                var (arguments, named) = Arguments();
                target = new CallExpression(target, arguments, named, target.Offset);
            }
            else
            {
                return target;
            }
        }
    }

    /// <summary><c>| filter(args)</c> and <c>is [not] test</c>, in any order.</summary>
    private TemplateExpression Filters(TemplateExpression target)
    {
        while (true)
        {
            var token = Current;
            if (Accept("|"))
            {
                var name = ExpectName("a filter name after '|'");
                var (arguments, named) = Current.Is("(") ? Arguments() : ([], []);
                target = Postfix(new FilterExpression(target, name, arguments, named, token.Offset));
            }
            else if (AcceptName("is"))
            {
                var negated = AcceptName("not");
                var name = ExpectName("a test name (defined, none, string, number…)");
                var arguments = ImmutableArray<TemplateExpression>.Empty;
                if (Current.Is("("))
                {
                    (arguments, _) = Arguments();
                }
                else if (Current.Kind is TokenKind.Integer or TokenKind.Float or TokenKind.String)
                {
                    arguments = [Primary()];
                }

                target = new TestExpression(target, name, negated, arguments, token.Offset);
            }
            else
            {
                return target;
            }
        }
    }

    private (ImmutableArray<TemplateExpression> Arguments, ImmutableArray<(string, TemplateExpression)> Named) Arguments()
    {
        Expect("(");
        var arguments = ImmutableArray.CreateBuilder<TemplateExpression>();
        var named = ImmutableArray.CreateBuilder<(string, TemplateExpression)>();
        while (!Accept(")"))
        {
            if (Current.Kind == TokenKind.Name && tokens[position + 1].Is("="))
            {
                var name = Advance().Text;
                Advance();
                named.Add((name, Expression()));
            }
            else if (named.Count > 0)
            {
                throw source.Error(Current.Offset, "a positional argument cannot follow a named one.");
            }
            else
            {
                arguments.Add(Expression());
            }

            if (!Current.Is(")"))
            {
                Expect(",");
            }
        }

        return (arguments.ToImmutable(), named.ToImmutable());
    }

    private TemplateExpression Primary()
    {
        var token = Advance();
        switch (token.Kind)
        {
            case TokenKind.String:
                var text = (string)token.Value!;
                while (Current.Kind == TokenKind.String)
                {
                    text += (string)Advance().Value!; // adjacent literals join, as in Python
                }

                return new LiteralExpression(text, token.Offset);
            case TokenKind.Integer:
            case TokenKind.Float:
                return new LiteralExpression(token.Value, token.Offset);
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new LiteralExpression(true, token.Offset),
                    "false" or "False" => new LiteralExpression(false, token.Offset),
                    "none" or "None" => new LiteralExpression(null, token.Offset),
                    _ => new NameExpression(token.Text, token.Offset),
                };
            case TokenKind.Operator when token.Text == "(":
                var inner = Expression();
                if (Current.Is(","))
                {
                    var items = ImmutableArray.CreateBuilder<TemplateExpression>();
                    items.Add(inner);
                    while (Accept(",") && !Current.Is(")"))
                    {
                        items.Add(Expression());
                    }

                    inner = new ListExpression(items.ToImmutable(), token.Offset);
                }

                Expect(")");
                return inner;
            case TokenKind.Operator when token.Text == "[":
                var list = ImmutableArray.CreateBuilder<TemplateExpression>();
                while (!Accept("]"))
                {
                    list.Add(Expression());
                    if (!Current.Is("]"))
                    {
                        Expect(",");
                    }
                }

                return new ListExpression(list.ToImmutable(), token.Offset);
            case TokenKind.Operator when token.Text == "{":
                var pairs = ImmutableArray.CreateBuilder<(TemplateExpression, TemplateExpression)>();
                while (!Accept("}"))
                {
                    var key = Expression();
                    Expect(":");
                    pairs.Add((key, Expression()));
                    if (!Current.Is("}"))
                    {
                        Expect(",");
                    }
                }

                return new DictExpression(pairs.ToImmutable(), token.Offset);
            default:
                throw source.Error(token.Offset, $"expected a value here, not {Describe(token)}.");
        }
    }

    private static string Describe(ExpressionToken token) => token.Kind == TokenKind.End ? "the end of the tag" : $"'{token.Text}'";
}
