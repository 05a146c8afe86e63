using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Sources;

/// <summary>
/// A source turns each of its streams (a file set, a table, an endpoint) into rows in the lake.
/// Extraction goes through a DuckDB work area, so every source hands DuckDB the rows and DuckDB
/// writes the Parquet.
/// </summary>
public interface ISource
{
    /// <summary>The streams this source yields for its pipeline, resolved now (files listed, tables found).</summary>
    Task<IReadOnlyList<SourceStream>> ListStreamsAsync(CancellationToken cancellationToken = default);

    /// <summary>What the run log should say about how the streams were chosen or ordered (e.g. foreign-key cycles).</summary>
    IReadOnlyList<string> Notes => [];

    /// <summary>Writes one stream to the lake, in one or more parts, and returns their manifests.</summary>
    Task<IReadOnlyList<LakeManifest>> ExtractAsync(SourceStream stream, DuckDbConnection workArea, LakeWriter lake, LakeTarget target, CancellationToken cancellationToken = default);
}

/// <summary>One stream of a source.</summary>
/// <param name="Name">The stream's name in the lake and the audit (the target table for files).</param>
/// <param name="Description">What is read, for messages: e.g. <c>3 files matching orders/*.csv</c>.</param>
/// <param name="Target">The warehouse table the stream is loaded into.</param>
/// <param name="Bytes">The size of what is read, when known (files), for progress.</param>
public sealed record SourceStream(string Name, string Description, string Target, IReadOnlyList<string> Files, long? Bytes = null)
{
    /// <summary>The source's own primary key (database tables), used when the pipeline declares none.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>The source table's foreign keys (database tables), recreated with <c>keys: true</c>.</summary>
    public IReadOnlyList<Sql.CatalogForeignKey> ForeignKeys { get; init; } = [];
}
