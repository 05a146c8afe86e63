using System.Collections.Immutable;

namespace Wharf.Models.Templates;

/// <summary>An expression of the Jinja subset; <see cref="Offset"/> places errors.</summary>
internal abstract record TemplateExpression(int Offset);

internal sealed record LiteralExpression(object? Value, int Offset) : TemplateExpression(Offset);

internal sealed record NameExpression(string Name, int Offset) : TemplateExpression(Offset);

internal sealed record ListExpression(ImmutableArray<TemplateExpression> Items, int Offset) : TemplateExpression(Offset);

internal sealed record DictExpression(ImmutableArray<(TemplateExpression Key, TemplateExpression Value)> Items, int Offset) : TemplateExpression(Offset);

/// <summary><c>a.b</c></summary>
internal sealed record AttributeExpression(TemplateExpression Target, string Name, int Offset) : TemplateExpression(Offset);

/// <summary><c>a[b]</c></summary>
internal sealed record IndexExpression(TemplateExpression Target, TemplateExpression Index, int Offset) : TemplateExpression(Offset);

internal sealed record CallExpression(
    TemplateExpression Target,
    ImmutableArray<TemplateExpression> Arguments,
    ImmutableArray<(string Name, TemplateExpression Value)> Named,
    int Offset) : TemplateExpression(Offset);

/// <summary><c>value | name(arguments)</c></summary>
internal sealed record FilterExpression(
    TemplateExpression Value,
    string Name,
    ImmutableArray<TemplateExpression> Arguments,
    ImmutableArray<(string Name, TemplateExpression Value)> Named,
    int Offset) : TemplateExpression(Offset);

/// <summary><c>value is [not] name(arguments)</c></summary>
internal sealed record TestExpression(TemplateExpression Value, string Name, bool Negated, ImmutableArray<TemplateExpression> Arguments, int Offset)
    : TemplateExpression(Offset);

internal sealed record UnaryExpression(string Operator, TemplateExpression Operand, int Offset) : TemplateExpression(Offset);

/// <summary>Arithmetic, <c>~</c>, comparisons, <c>in</c>/<c>not in</c>, <c>and</c>/<c>or</c>.</summary>
internal sealed record BinaryExpression(string Operator, TemplateExpression Left, TemplateExpression Right, int Offset) : TemplateExpression(Offset);

/// <summary><c>a if condition else b</c></summary>
internal sealed record ConditionalExpression(TemplateExpression Condition, TemplateExpression Then, TemplateExpression? Else, int Offset)
    : TemplateExpression(Offset);
