namespace Wharf.Models.Templates;

/// <summary>
/// A name or attribute that has no value. Only <c>is defined</c>, <c>is undefined</c> and the
/// <c>default</c> filter may look at it; anything else is an error that names it, never empty SQL.
/// </summary>
internal sealed record TemplateUndefined(string Name, int Offset);
