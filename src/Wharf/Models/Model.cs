using System.Collections.Immutable;
using Wharf.Models.Templates;
using Wharf.Projects;

namespace Wharf.Models;

/// <summary>A <c>.sql</c> file under a model path: a select, templated.</summary>
/// <param name="Name">The file's name without <c>.sql</c>: what <c>ref()</c> calls it.</param>
/// <param name="File">The path relative to the project, with forward slashes (<c>models/staging/stg_orders.sql</c>).</param>
/// <param name="Folders">The folders between the model path and the file (<c>[staging]</c>), for folder configuration and <c>path:</c> selectors.</param>
internal sealed record Model(string Name, string File, ImmutableArray<string> Folders, Template Template, ModelConfig Config)
{
    public string? Description { get; init; }

    public ImmutableArray<ColumnDoc> Columns { get; init; } = [];

    /// <summary>Tests declared in YAML on the model and its columns (relationships still name <c>ref('x')</c>).</summary>
    public ImmutableArray<CheckSettings> Tests { get; init; } = [];
}

/// <summary>A column as YAML documents it.</summary>
internal sealed record ColumnDoc(string Name, string? Description);

/// <summary>A CSV file under a seed path, loaded by <c>wharf seed</c> into a table of its name.</summary>
internal sealed record Seed(string Name, string File, string? Schema)
{
    public string? Description { get; init; }

    public ImmutableArray<ColumnDoc> Columns { get; init; } = [];

    public ImmutableArray<CheckSettings> Tests { get; init; } = [];
}

/// <summary>A table the models read that Wharf does not build: <c>sources:</c> in YAML, or a pipeline's table.</summary>
internal sealed record ModelSource(string SourceName, string Table, string Schema, string Identifier)
{
    public string? Description { get; init; }

    public ImmutableArray<ColumnDoc> Columns { get; init; } = [];

    /// <summary>Tests on the source table, run before the models that read it.</summary>
    public ImmutableArray<CheckSettings> Tests { get; init; } = [];

    /// <summary>How results and messages name it: <c>source:shop.orders</c>.</summary>
    public string Key => $"source:{SourceName}.{Table}";
}

/// <summary>A singular test: a query under a test path whose rows are failures.</summary>
internal sealed record SingularTest(string Name, string File, Template Template);
