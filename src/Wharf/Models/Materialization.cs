namespace Wharf.Models;

/// <summary>How a model's select becomes a relation (<c>materialized:</c>).</summary>
internal enum Materialization
{
    /// <summary>A view, replaced on every build.</summary>
    View,

    /// <summary>A table built beside the old one and swapped in, as <c>mode: replace</c> is.</summary>
    Table,

    /// <summary>A table that each build appends to, or merges into by <c>unique_key</c>; <c>--full-refresh</c> rebuilds it.</summary>
    Incremental,

    /// <summary>No relation: inlined as a common table expression into the models that ref it.</summary>
    Ephemeral,
}
