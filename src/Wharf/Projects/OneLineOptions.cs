using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>
/// The options of a run without a project file (<c>wharf run --source …</c>), as given;
/// <see cref="OneLineProject.Build"/> checks them and turns them into a <see cref="Project"/>.
/// </summary>
internal sealed record OneLineOptions
{
    /// <summary><c>postgres://…</c>, <c>postgresql://…</c>, <c>sqlite:FILE</c>, or a file path, folder or glob (<c>--source</c>).</summary>
    public required string Source { get; init; }

    /// <summary>One SQL query against a database source (<c>--query</c>); needs <see cref="Table"/>.</summary>
    public string? Query { get; init; }

    /// <summary>Tables of a database source: names or globs, <c>!</c> to exclude (<c>--tables</c>).</summary>
    public ImmutableArray<string> Tables { get; init; } = [];

    /// <summary>Globs relative to a folder source (<c>--files</c>).</summary>
    public ImmutableArray<string> Files { get; init; } = [];

    /// <summary>The warehouse table (<c>--table</c>).</summary>
    /// <value>Defaults, for files, to the file's or folder's name; a query needs one.</value>
    public string? Table { get; init; }

    /// <summary>The warehouse schema (<c>--schema</c>).</summary>
    /// <value>Defaults to <c>main</c>.</value>
    public string? Schema { get; init; }

    /// <summary><c>append</c>, <c>replace</c>, <c>merge</c> or <c>scd2</c> (<c>--mode</c>).</summary>
    /// <value>Defaults to <c>append</c>.</value>
    public string? Mode { get; init; }

    /// <summary>The columns merge and scd2 work by (<c>--primary-key</c>); database tables default to their own.</summary>
    public ImmutableArray<string> PrimaryKey { get; init; } = [];

    /// <summary>Cursor columns (<c>--cursor</c>): each run extracts only rows at or past the saved watermark.</summary>
    public ImmutableArray<string> Cursor { get; init; } = [];

    /// <summary><c>duckdb:FILE</c>, a DuckDB file or <c>postgres://…</c> (<c>--warehouse</c>).</summary>
    /// <value>Defaults to <c>warehouse.duckdb</c> in <see cref="Directory"/>.</value>
    public string? Warehouse { get; init; }

    /// <summary>The lake folder (<c>--lake</c>).</summary>
    /// <value>Defaults to <c>lake/</c> in <see cref="Directory"/>.</value>
    public string? Lake { get; init; }

    /// <summary>The folder the run belongs to: the default warehouse and lake, and the run's lock, are here (<c>--project</c>).</summary>
    public required string Directory { get; init; }

    /// <summary>Where relative paths in the options start, as a shell user expects.</summary>
    /// <value>Defaults to the current folder.</value>
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;
}
