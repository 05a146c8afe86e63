namespace Wharf.Models.Templates;

/// <summary>Variables of a template, a loop body or a macro call; lookups fall back to the enclosing scope.</summary>
internal sealed class TemplateScope(TemplateScope? parent = null)
{
    private readonly TemplateScope? parent = parent;
    private readonly Dictionary<string, object?> values = new(StringComparer.Ordinal);

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.parent)
        {
            if (scope.values.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    public void Set(string name, object? value) => values[name] = value;

    public TemplateScope Child() => new(this);
}

/// <summary>A <c>{% macro %}</c> as a value: called, it renders its body with its parameters bound.</summary>
internal sealed record TemplateMacro(MacroNode Node, TemplateSource Source, TemplateScope Globals)
{
    public override string ToString() => $"<macro {Node.Name}>";
}
