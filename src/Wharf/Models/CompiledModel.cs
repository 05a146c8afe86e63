using System.Collections.Immutable;

namespace Wharf.Models;

/// <summary>A model rendered to SQL, with what it read.</summary>
/// <param name="Sql">The select, with the CTEs of the ephemeral models it refs put in front.</param>
/// <param name="Config">The configuration after <c>config()</c>.</param>
/// <param name="Refs">Models and seeds it refs, by name.</param>
/// <param name="Sources">Tables it reads with <c>source()</c>: (source or pipeline, table).</param>
internal sealed record CompiledModel(
    Model Model,
    string Sql,
    ModelConfig Config,
    Relation Relation,
    ImmutableArray<string> Refs,
    ImmutableArray<(string Source, string Table)> Sources);
