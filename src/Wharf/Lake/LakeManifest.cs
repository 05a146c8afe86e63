using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Wharf.Lake;

/// <summary>
/// The small JSON file written beside every lake file: what is in it and where it came from.
/// Written once, after the Parquet file is complete; never changed.
/// </summary>
internal sealed record LakeManifest
{
    public required string RunId { get; init; }

    public required string Pipeline { get; init; }

    public required string Stream { get; init; }

    /// <summary>The Parquet file, relative to the lake root.</summary>
    public required string File { get; init; }

    public required long Rows { get; init; }

    public required long Bytes { get; init; }

    public required ImmutableArray<LakeColumn> Columns { get; init; }

    /// <summary>The files read, relative to the source connection's folder (or bucket prefix), with a remote file's identity.</summary>
    public ImmutableArray<LakeSourceFile> SourceFiles { get; init; } = [];

    /// <summary>What was read, as a human would describe it (the reader call or query).</summary>
    public required string SourceQuery { get; init; }

    /// <summary>The stream's primary key, as named in the source (empty when it has none).</summary>
    public ImmutableArray<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// For a part committed on its own (<see cref="Sources.SourceStream.CommitsEachPart"/>): what the
    /// source resumes after once this part is committed (an HTTP partition's key). Kept in the
    /// stream's state, not in the manifest file.
    /// </summary>
    [JsonIgnore]
    public string? Checkpoint { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>How manifests are written and read: snake_case, indented, nulls left out (<see cref="ManifestJson"/>).</summary>
    internal static System.Text.Json.Serialization.Metadata.JsonTypeInfo<LakeManifest> Json => ManifestJson.Default.LakeManifest;
}

/// <summary>A column of a lake file, with DuckDB's type name.</summary>
/// <param name="Type">The column's type (what the warehouse gets).</param>
internal sealed record LakeColumn(string Name, string Type)
{
    /// <summary>The Parquet type the column is stored as, when Parquet cannot hold <see cref="Type"/> exactly.</summary>
    public string? StoredAs { get; init; }

    /// <summary>The SQL that reads the column back from the lake file with its real type.</summary>
    public string ReadExpression => StoredAs is null
        ? Quote.Identifier(Name)
        : $"CAST({Quote.Identifier(Name)} AS {Type})";
}
