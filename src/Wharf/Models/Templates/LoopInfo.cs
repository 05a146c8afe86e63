namespace Wharf.Models.Templates;

/// <summary><c>loop</c> inside a <c>for</c>: index (from 1), index0, revindex, revindex0, first, last, length, previtem, nextitem.</summary>
internal sealed class LoopInfo(IReadOnlyList<object?> items) : ITemplateObject
{
    public int Index0 { get; set; }

    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "index" => (long)Index0 + 1,
            "index0" => (long)Index0,
            "revindex" => (long)(items.Count - Index0),
            "revindex0" => (long)(items.Count - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == items.Count - 1,
            "length" => (long)items.Count,
            "previtem" => Index0 > 0 ? items[Index0 - 1] : null,
            "nextitem" => Index0 < items.Count - 1 ? items[Index0 + 1] : null,
            _ => TemplateArguments.Missing,
        };
        return !ReferenceEquals(value, TemplateArguments.Missing);
    }

    public override string ToString() => "<loop>";
}
