using System.Collections.Immutable;

namespace Wharf.Models.Templates;

internal sealed partial class TemplateRenderer
{
    public object? Evaluate(TemplateExpression expression, TemplateScope scope)
    {
        switch (expression)
        {
            case LiteralExpression literal:
                return literal.Value;
            case NameExpression name:
                return scope.TryGet(name.Name, out var value) ? value : new TemplateUndefined(name.Name, name.Offset);
            case ListExpression list:
                return list.Items.Select(item => Defined(Evaluate(item, scope))).ToList();
            case DictExpression dict:
                var result = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, item) in dict.Items)
                {
                    result[TemplateValues.Display(Defined(Evaluate(key, scope)))] = Defined(Evaluate(item, scope));
                }

                return result;
            case AttributeExpression attribute:
                return Attribute(Defined(Evaluate(attribute.Target, scope)), attribute.Name, attribute.Offset);
            case IndexExpression index:
                return Index(Defined(Evaluate(index.Target, scope)), Defined(Evaluate(index.Index, scope)), index.Offset);
            case CallExpression call:
                return Call(call, scope);
            case FilterExpression filter:
                var input = Evaluate(filter.Value, scope);
                if (filter.Name is not ("default" or "d"))
                {
                    input = Defined(input);
                }

                var arguments = Arguments(filter.Name, filter.Arguments, filter.Named, scope);
                return Guard(filter.Offset, () => TemplateFilters.Apply(filter.Name, input, arguments));
            case TestExpression test:
                return Test(test, scope) != test.Negated;
            case UnaryExpression unary:
                var operand = Defined(Evaluate(unary.Operand, scope));
                return unary.Operator switch
                {
                    "not" => !TemplateValues.IsTrue(operand),
                    "-" => Guard(unary.Offset, () => TemplateValues.Arithmetic("-", 0L, operand)),
                    _ => operand is long or double ? operand : throw source.Error(unary.Offset, $"'+' needs a number, not {TemplateValues.Repr(operand)}."),
                };
            case BinaryExpression binary:
                return Binary(binary, scope);
            case ConditionalExpression conditional:
                return IsTrue(conditional.Condition, scope)
                    ? Evaluate(conditional.Then, scope)
                    : conditional.Else is null ? "" : Evaluate(conditional.Else, scope);
            default:
                throw new InvalidOperationException($"Unknown expression {expression.GetType().Name}.");
        }
    }

    private object? Binary(BinaryExpression binary, TemplateScope scope)
    {
        var left = Defined(Evaluate(binary.Left, scope));
        switch (binary.Operator)
        {
            case "and":
                return TemplateValues.IsTrue(left) ? Defined(Evaluate(binary.Right, scope)) : left;
            case "or":
                return TemplateValues.IsTrue(left) ? left : Defined(Evaluate(binary.Right, scope));
        }

        var right = Defined(Evaluate(binary.Right, scope));
        return Guard(binary.Offset, () => binary.Operator switch
        {
            "~" => (object?)(TemplateValues.Display(left) + TemplateValues.Display(right)),
            "==" => TemplateValues.Equals(left, right),
            "!=" => !TemplateValues.Equals(left, right),
            "<" => TemplateValues.Compare(left, right) < 0,
            ">" => TemplateValues.Compare(left, right) > 0,
            "<=" => TemplateValues.Compare(left, right) <= 0,
            ">=" => TemplateValues.Compare(left, right) >= 0,
            "in" => TemplateValues.Contains(right, left),
            "not in" => !TemplateValues.Contains(right, left),
            var op => TemplateValues.Arithmetic(op, left, right),
        });
    }

    private bool Test(TestExpression test, TemplateScope scope)
    {
        var value = Evaluate(test.Value, scope);
        switch (test.Name)
        {
            case "defined":
                return value is not TemplateUndefined;
            case "undefined":
                return value is TemplateUndefined;
        }

        value = Defined(value);
        var arguments = test.Arguments.Select(a => Defined(Evaluate(a, scope))).ToList();
        return test.Name switch
        {
            "none" => value is null,
            "string" => value is string,
            "number" => value is long or double,
            "mapping" => value is OrderedDictionary<string, object?>,
            "sequence" or "iterable" => value is string or List<object?> or OrderedDictionary<string, object?>,
            "true" => value is true,
            "false" => value is false,
            "odd" => value is long odd ? odd % 2 != 0 : throw source.Error(test.Offset, "'odd' needs an integer."),
            "even" => value is long even ? even % 2 == 0 : throw source.Error(test.Offset, "'even' needs an integer."),
            "divisibleby" => value is long n && arguments is [long d] && d != 0 ? n % d == 0 : throw source.Error(test.Offset, "'divisibleby' needs an integer and a divisor."),
            "eq" or "equalto" or "sameas" => arguments.Count == 1 ? TemplateValues.Equals(value, arguments[0]) : throw source.Error(test.Offset, $"'{test.Name}' needs one value to compare with."),
            _ => throw source.Error(test.Offset, $"there is no test '{test.Name}'; Wharf's templates have defined, undefined, none, string, number, mapping, sequence, true, false, odd, even, divisibleby, eq."),
        };
    }

    private object? Attribute(object? target, string name, int offset)
    {
        switch (target)
        {
            case ITemplateObject host when host.TryGetAttribute(name, out var value):
                return value;
            case OrderedDictionary<string, object?> dict when dict.TryGetValue(name, out var value):
                return value;
        }

        if (TemplateMethods.Find(target, name) is { } method)
        {
            return method;
        }

        return target is OrderedDictionary<string, object?> or ITemplateObject
            ? new TemplateUndefined(name, offset)
            : throw source.Error(offset, $"{TemplateValues.Repr(target)} has no attribute '{name}'.");
    }

    private object? Index(object? target, object? index, int offset) => (target, index) switch
    {
        (List<object?> list, long i) when i >= -list.Count && i < list.Count => list[(int)(i < 0 ? list.Count + i : i)],
        (List<object?> list, long i) => throw source.Error(offset, $"index {i} is outside the list ({list.Count} items)."),
        (string text, long i) when i >= -text.Length && i < text.Length => text[(int)(i < 0 ? text.Length + i : i)].ToString(),
        (OrderedDictionary<string, object?> dict, string key) => dict.TryGetValue(key, out var value) ? value : new TemplateUndefined(key, offset),
        (ITemplateObject host, string key) => host.TryGetAttribute(key, out var value) ? value : new TemplateUndefined(key, offset),
        _ => throw source.Error(offset, $"{TemplateValues.Repr(target)} cannot be indexed by {TemplateValues.Repr(index)}."),
    };

    private object? Call(CallExpression call, TemplateScope scope)
    {
        var target = Defined(Evaluate(call.Target, scope));
        var name = call.Target switch
        {
            NameExpression n => n.Name,
            AttributeExpression a => a.Name,
            _ => "the value",
        };
        var arguments = Arguments(name, call.Arguments, call.Named, scope);
        return target switch
        {
            TemplateFunction function => Guard(call.Offset, () => function(arguments)),
            TemplateMacro macro => CallMacro(macro, arguments, call.Offset),
            _ => throw source.Error(call.Offset, $"'{name}' is {TemplateValues.Repr(target)}, which cannot be called."),
        };
    }

    private TemplateArguments Arguments(string function, ImmutableArray<TemplateExpression> positional, ImmutableArray<(string Name, TemplateExpression Value)> named, TemplateScope scope)
    {
        var values = positional.Select(a => Defined(Evaluate(a, scope))).ToList();
        var names = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in named)
        {
            names[key] = Defined(Evaluate(value, scope));
        }

        return new TemplateArguments(function, values, names);
    }
}
