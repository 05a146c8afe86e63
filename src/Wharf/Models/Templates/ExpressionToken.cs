namespace Wharf.Models.Templates;

internal enum TokenKind
{
    Name,
    String,
    Integer,
    Float,

    /// <summary>Punctuation and operators: <c>( ) [ ] { } , : . | ~ + - * / // % ** == != &lt; &gt; &lt;= &gt;= =</c>.</summary>
    Operator,
    End,
}

/// <summary>One token of an expression; <see cref="Offset"/> is its place in the file.</summary>
internal readonly record struct ExpressionToken(TokenKind Kind, string Text, int Offset, object? Value = null)
{
    public bool Is(string op) => Kind == TokenKind.Operator && Text == op;

    public bool IsName(string name) => Kind == TokenKind.Name && Text == name;
}
