namespace Wharf.Models.Templates;

/// <summary>A host value with attributes (a relation's <c>schema</c>, <c>loop.index</c>); printed by <see cref="object.ToString"/>.</summary>
internal interface ITemplateObject
{
    bool TryGetAttribute(string name, out object? value);
}
