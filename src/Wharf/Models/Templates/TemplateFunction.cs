namespace Wharf.Models.Templates;

/// <summary>
/// A function a template may call (<c>ref</c>, <c>source</c>, <c>config</c>, <c>var</c>…). It
/// throws <see cref="TemplateFunctionException"/> for bad arguments; the renderer adds the file,
/// line and column of the call.
/// </summary>
internal delegate object? TemplateFunction(TemplateArguments arguments);

/// <summary>The arguments of a call, positional and named.</summary>
internal sealed record TemplateArguments(string Function, IReadOnlyList<object?> Positional, IReadOnlyDictionary<string, object?> Named)
{
    /// <summary>The argument at <paramref name="index"/>, or named <paramref name="name"/>; <see cref="Missing"/> when neither.</summary>
    public object? Get(int index, string name) =>
        index < Positional.Count ? Positional[index] : Named.TryGetValue(name, out var value) ? value : Missing;

    public string String(int index, string name) => Get(index, name) switch
    {
        string text => text,
        var other when ReferenceEquals(other, Missing) => throw new TemplateFunctionException($"{Function}() needs the argument '{name}'."),
        var other => throw new TemplateFunctionException($"{Function}()'s argument '{name}' must be a string, not {TemplateValues.Repr(other)}."),
    };

    public string? OptionalString(int index, string name) => Get(index, name) switch
    {
        string text => text,
        null => null,
        var other when ReferenceEquals(other, Missing) => null,
        var other => throw new TemplateFunctionException($"{Function}()'s argument '{name}' must be a string, not {TemplateValues.Repr(other)}."),
    };

    /// <summary>Fails when more arguments were given than <paramref name="names"/> allows, or an unknown one was named.</summary>
    public void Allow(params string[] names)
    {
        if (Positional.Count > names.Length)
        {
            throw new TemplateFunctionException($"{Function}() takes at most {names.Length} argument(s) ({string.Join(", ", names)}), not {Positional.Count}.");
        }

        var unknown = Named.Keys.FirstOrDefault(k => !names.Contains(k));
        if (unknown is not null)
        {
            throw new TemplateFunctionException($"{Function}() has no argument '{unknown}'; it takes {string.Join(", ", names)}.");
        }
    }

    /// <summary>What <see cref="Get"/> returns for an argument not given.</summary>
    public static readonly object Missing = new();
}

/// <summary>A template function refused its arguments; the message says why, the renderer says where.</summary>
internal sealed class TemplateFunctionException(string message) : WharfException(message);
