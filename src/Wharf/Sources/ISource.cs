using DuckDB.NET.Data;
using System.Collections.Immutable;
using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Sources;

/// <summary>
/// A source turns each of its streams (a file set, a table, an endpoint) into rows in the lake.
/// Extraction goes through a DuckDB work area, so every source hands DuckDB the rows and DuckDB
/// writes the Parquet.
/// </summary>
internal interface ISource
{
    /// <summary>The streams this source yields for its pipeline, resolved now (files listed, tables found).</summary>
    Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default);

    /// <summary>The streams as a dry run shows them: like <see cref="ListStreamsAsync"/>, but without reading data (an API is not fetched).</summary>
    Task<IReadOnlyList<SourceStream>> PlanStreamsAsync(CancellationToken cancellationToken = default) => ListStreamsAsync(cancellationToken);

    /// <summary>The streams' saved state, handed over before <see cref="ListStreamsAsync"/> (none in a full refresh): a files source with <c>incremental: files</c> skips the files it holds.</summary>
    void Resume(IReadOnlyList<Incremental.StreamState> states)
    {
    }

    /// <summary>What happens to a stream's source once its rows are committed (<c>after_load:</c>); warnings for what could not be done.</summary>
    Task<IReadOnlyList<string>> AfterLoadAsync(SourceStream stream, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

    /// <summary>What the run log should say about how the streams were chosen or ordered (e.g. foreign-key cycles).</summary>
    IReadOnlyList<string> Notes => [];

    /// <summary>
    /// Whether a full extract reads one snapshot of the source, in parallel key ranges where it can
    /// (PostgreSQL, MySQL): a cursor stream's first load then reads it so, unordered, and takes the
    /// highest cursor it read as its watermark (<see cref="Projects.FirstLoad.Whole"/>).
    /// </summary>
    bool ReadsSnapshots => false;

    /// <summary>Writes one stream to the lake, in one or more parts, and returns their manifests.</summary>
    Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, ExtractRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What to extract of a stream, and where it goes.</summary>
/// <param name="WorkArea">A DuckDB work-area connection of the extraction's own.</param>
/// <param name="Target">The first lake part to write.</param>
internal sealed record ExtractRequest(DuckDBConnection WorkArea, LakeWriter Lake, LakeTarget Target)
{
    /// <summary>Only rows at or past this bound, in cursor order (cursor streams); everything when null.</summary>
    public Incremental.CursorBound? From { get; init; }

    /// <summary>The pipeline's cursor columns: the extract is ordered by them, so every part ends a consistent prefix.</summary>
    public ImmutableArray<string> Cursor { get; init; } = [];

    /// <summary>Only these columns, as named in the source (the primary key, for delete detection); all when empty.</summary>
    public ImmutableArray<string> Columns { get; init; } = [];

    /// <summary>
    /// Called with each part as soon as it is in the lake, in order, with its child tables' parts
    /// (nested JSON lists), which are committed with it. A source may read the next part while the
    /// call runs, but waits for it before calling it again and before it returns.
    /// </summary>
    public Func<LakeManifest, IReadOnlyList<ChildPart>, CancellationToken, Task>? OnPart { get; init; }

    /// <summary>
    /// Called with each part as soon as it is in the lake, in order, for work that can start on it
    /// before the extract ends (a replace that builds its new table meanwhile), as <see cref="OnPart"/>
    /// is but committing nothing; it does not fail the extract. Sources that write their parts as
    /// they read (databases) call it; others may not.
    /// </summary>
    public Func<LakeManifest, CancellationToken, Task>? OnPartWritten { get; init; }

    /// <summary>
    /// Told how long work on parts already written ran while the source went on reading: an
    /// <see cref="OnPart"/> or <see cref="OnPartWritten"/> call, or a source's own lake writes that
    /// overlap its reading (an Excel workbook's drafted parts). Time both were at work, counted once.
    /// </summary>
    public Action<TimeSpan>? OnPartOverlapped { get; init; }

    /// <summary>Rows per part, when fewer than the staging budget allows (<c>chunk_rows:</c>).</summary>
    public int? PartRows { get; init; }

    /// <summary>
    /// Called (possibly more than once, from any thread) as soon as the extract's view of the
    /// source is fixed: work that must see at least what the extract sees (delete detection's key
    /// summary) can start beside it. Sources that cannot tell never call it.
    /// </summary>
    public Action? OnSnapshot { get; init; }

    /// <summary>
    /// Where a stream that commits part by part (<see cref="SourceStream.CommitsEachPart"/>) got to
    /// in a run that died: the <see cref="LakeManifest.Checkpoint"/> of its last committed part.
    /// Null when the last run finished (or in a full refresh): start from the beginning.
    /// </summary>
    public string? Checkpoint { get; init; }
}

/// <summary>
/// A child table's share of a part committed on its own (<see cref="ExtractRequest.OnPart"/>): the
/// rows of the part's nested JSON lists at <paramref name="Path"/>, in a lake part of their own.
/// </summary>
internal sealed record ChildPart(string Table, ImmutableArray<string> Path, LakeManifest Manifest);

/// <summary>One stream of a source.</summary>
/// <param name="Name">The stream's name in the lake and the audit (the target table for files).</param>
/// <param name="Description">What is read, for messages: e.g. <c>3 files matching orders/*.csv</c>.</param>
/// <param name="Target">The warehouse table the stream is loaded into.</param>
/// <param name="Bytes">The size of what is read, when known (files; an API's pages fetched while listing), for progress and the run record.</param>
internal sealed record SourceStream(string Name, string Description, string Target, IReadOnlyList<string> Files, long? Bytes = null)
{
    /// <summary>The source's own primary key (database tables), used when the pipeline declares none.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>For a child table of nested JSON, the list's path from the root document; empty otherwise.</summary>
    public System.Collections.Immutable.ImmutableArray<string> NestedPath { get; init; } = [];

    /// <summary>
    /// For a child table whose list is in none of the files of a <c>mode: replace</c> run: the
    /// columns of its last extract, loaded with no rows (see <see cref="Files.VanishedLists"/>); empty otherwise.
    /// </summary>
    public System.Collections.Immutable.ImmutableArray<Lake.LakeColumn> EmptiedColumns { get; init; } = [];

    /// <summary>
    /// Whether the source hands each part to <see cref="ExtractRequest.OnPart"/> to be committed as
    /// it comes, with a checkpoint to resume from, although the pipeline has no cursor (HTTP partitions).
    /// </summary>
    public bool CommitsEachPart { get; init; }

    /// <summary>
    /// With <c>incremental: files</c>: the identities of every file now loaded (those before, and
    /// this stream's), saved in the stream's state with its rows; null without it.
    /// </summary>
    public ImmutableArray<string>? LoadedFiles { get; init; }

    /// <summary>The source table's foreign keys (database tables), recreated with <c>keys: true</c>.</summary>
    public IReadOnlyList<Sql.CatalogForeignKey> ForeignKeys { get; init; } = [];
}
