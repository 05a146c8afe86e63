using System.Collections.Immutable;
using System.Text;
using Wharf.Projects;

namespace Wharf.Models.Templates;

/// <summary>Renders the nodes of one template file; errors carry that file's line and column.</summary>
internal sealed partial class TemplateRenderer(TemplateSource source, int depth = 0)
{
    /// <summary>Macro calls nested deeper than this are a macro that calls itself for ever.</summary>
    private const int DeepestCall = 64;

    public void Render(ImmutableArray<TemplateNode> nodes, TemplateScope scope, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case OutputNode print:
                    output.Append(TemplateValues.Display(Defined(Evaluate(print.Expression, scope))));
                    break;
                case IfNode branches:
                    var taken = branches.Branches.FirstOrDefault(b => IsTrue(b.Condition, scope));
                    Render(taken.Body.IsDefault ? branches.Else : taken.Body, scope, output);
                    break;
                case ForNode loop:
                    For(loop, scope, output);
                    break;
                case SetNode set:
                    Set(set, scope);
                    break;
                case DoNode action:
                    Evaluate(action.Expression, scope);
                    break;
                case MacroNode macro:
                    scope.Set(macro.Name, new TemplateMacro(macro, source, scope));
                    break;
            }
        }
    }

    private void For(ForNode loop, TemplateScope scope, StringBuilder output)
    {
        var items = Guard(loop.Iterable.Offset, () => TemplateValues.Items(Defined(Evaluate(loop.Iterable, scope))));
        var body = scope.Child();
        if (loop.Filter is not null)
        {
            items = [.. items.Where(item =>
            {
                Bind(loop.Targets, item, body, loop.Offset);
                return IsTrue(loop.Filter, body);
            })];
        }

        if (items.Count == 0)
        {
            Render(loop.Else, scope, output);
            return;
        }

        var info = new LoopInfo(items);
        body.Set("loop", info);
        for (var i = 0; i < items.Count; i++)
        {
            info.Index0 = i;
            Bind(loop.Targets, items[i], body, loop.Offset);
            Render(loop.Body, body, output);
        }
    }

    private void Set(SetNode set, TemplateScope scope)
    {
        if (set.Value is null)
        {
            var text = new StringBuilder();
            Render(set.Body, scope.Child(), text);
            scope.Set(set.Targets[0], text.ToString());
            return;
        }

        Bind(set.Targets, Defined(Evaluate(set.Value, scope)), scope, set.Offset);
    }

    private void Bind(ImmutableArray<string> targets, object? value, TemplateScope scope, int offset)
    {
        if (targets.Length == 1)
        {
            scope.Set(targets[0], value);
            return;
        }

        if (value is not List<object?> parts || parts.Count != targets.Length)
        {
            throw source.Error(offset, $"cannot unpack {TemplateValues.Repr(value)} into {targets.Length} variables ({string.Join(", ", targets)}).");
        }

        for (var i = 0; i < targets.Length; i++)
        {
            scope.Set(targets[i], parts[i]);
        }
    }

    private bool IsTrue(TemplateExpression condition, TemplateScope scope) => TemplateValues.IsTrue(Defined(Evaluate(condition, scope)));

    /// <summary>The value, unless it is undefined: then the error names what was undefined, where.</summary>
    private object? Defined(object? value) => value is TemplateUndefined undefined
        ? throw source.Error(undefined.Offset, $"'{undefined.Name}' is undefined. Define it ({{% set %}}, a var in the project, a macro), or give a fallback with '| default(...)'.")
        : value;

    /// <summary>Runs <paramref name="work"/>, turning a refusal of the values into an error at <paramref name="offset"/>.</summary>
    private T Guard<T>(int offset, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (TemplateFunctionException ex)
        {
            throw source.Error(offset, ex.Message);
        }
    }

    private string CallMacro(TemplateMacro macro, TemplateArguments arguments, int offset)
    {
        if (depth >= DeepestCall)
        {
            throw source.Error(offset, $"macro '{macro.Node.Name}' is called more than {DeepestCall} deep; does it call itself without end?");
        }

        var parameters = macro.Node.Parameters;
        Guard(offset, () =>
        {
            arguments.Allow([.. parameters.Select(p => p.Name)]);
            return 0;
        });
        var scope = macro.Globals.Child();
        var renderer = new TemplateRenderer(macro.Source, depth + 1);
        for (var i = 0; i < parameters.Length; i++)
        {
            var value = arguments.Get(i, parameters[i].Name);
            if (ReferenceEquals(value, TemplateArguments.Missing))
            {
                value = parameters[i].Default is { } fallback
                    ? renderer.Evaluate(fallback, scope)
                    : throw source.Error(offset, $"macro '{macro.Node.Name}' needs the argument '{parameters[i].Name}'.");
            }

            scope.Set(parameters[i].Name, value);
        }

        var output = new StringBuilder();
        try
        {
            renderer.Render(macro.Node.Body, scope, output);
        }
        catch (ProjectFileException ex) when (!ReferenceEquals(macro.Source, source))
        {
            var (line, column) = source.Position(offset);
            throw new ProjectFileException(ex.File, ex.Line, ex.Column, $"{ex.Problem} (in macro '{macro.Node.Name}' called from {source.File}:{line}:{column})", ex);
        }

        return output.ToString();
    }
}
