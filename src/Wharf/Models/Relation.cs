using Wharf.Models.Templates;

namespace Wharf.Models;

/// <summary>
/// A table or view as templates see it (<c>ref()</c>, <c>source()</c>, <c>this</c>): prints as
/// the quoted <c>"schema"."name"</c>, with <c>.schema</c>, <c>.identifier</c> (<c>.name</c>,
/// <c>.table</c>) and <c>.database</c>.
/// </summary>
internal sealed record Relation(string Schema, string Name) : ITemplateObject
{
    /// <summary>For an ephemeral model: the CTE's name, which is what the relation prints as.</summary>
    public string? CommonTableExpression { get; init; }

    public bool TryGetAttribute(string name, out object? value)
    {
        value = name switch
        {
            "schema" => Schema,
            "identifier" or "name" or "table" => Name,
            "database" => null,
            _ => TemplateArguments.Missing,
        };
        return !ReferenceEquals(value, TemplateArguments.Missing);
    }

    /// <summary><c>schema.name</c>, unquoted, as the audit and messages show tables.</summary>
    public string Display => $"{Schema}.{Name}";

    public override string ToString() => CommonTableExpression ?? Quote.Qualified(Schema, Name);
}
