using System.Collections.Immutable;

namespace Wharf.Models.Templates;

/// <summary>A piece of a parsed template.</summary>
internal abstract record TemplateNode;

internal sealed record TextNode(string Text) : TemplateNode;

/// <summary><c>{{ expression }}</c></summary>
internal sealed record OutputNode(TemplateExpression Expression) : TemplateNode;

internal sealed record IfNode(ImmutableArray<(TemplateExpression Condition, ImmutableArray<TemplateNode> Body)> Branches, ImmutableArray<TemplateNode> Else)
    : TemplateNode;

/// <summary><c>{% for a[, b] in iterable [if condition] %}…{% else %}…{% endfor %}</c></summary>
internal sealed record ForNode(
    ImmutableArray<string> Targets,
    TemplateExpression Iterable,
    TemplateExpression? Filter,
    ImmutableArray<TemplateNode> Body,
    ImmutableArray<TemplateNode> Else,
    int Offset) : TemplateNode;

/// <summary><c>{% set name = value %}</c>, or the block form whose body is rendered into the variable.</summary>
internal sealed record SetNode(ImmutableArray<string> Targets, TemplateExpression? Value, ImmutableArray<TemplateNode> Body, int Offset) : TemplateNode;

/// <summary><c>{% do expression %}</c>: evaluated for its effect (<c>list.append(x)</c>).</summary>
internal sealed record DoNode(TemplateExpression Expression) : TemplateNode;

internal sealed record MacroNode(string Name, ImmutableArray<(string Name, TemplateExpression? Default)> Parameters, ImmutableArray<TemplateNode> Body, int Offset)
    : TemplateNode;
