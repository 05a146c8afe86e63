using System.Collections.Immutable;
using Wharf.Models.Templates;

namespace Wharf.Models;

/// <summary>
/// Everything <c>wharf build</c> works from: models, seeds, singular tests, macros, sources,
/// doc blocks and variables, read from the project's folders and YAML files.
/// </summary>
internal sealed record ModelProject(
    string Root,
    ImmutableArray<Model> Models,
    ImmutableArray<Seed> Seeds,
    ImmutableArray<SingularTest> Tests,
    ImmutableArray<Template> Macros,
    ImmutableArray<ModelSource> Sources,
    ImmutableDictionary<string, string> Docs,
    OrderedDictionary<string, object?> Vars)
{
    /// <summary>The schema models and seeds go to when their configuration names none.</summary>
    public string DefaultSchema { get; init; } = "main";

    public bool IsEmpty => Models.IsEmpty && Seeds.IsEmpty;
}
