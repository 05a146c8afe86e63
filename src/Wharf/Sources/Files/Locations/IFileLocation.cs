namespace Wharf.Sources.Files.Locations;

/// <summary>
/// One file found at a location: its path relative to the location's root (always with '/'), and
/// the identity that says whether it changed since it was loaded (size, modification time, ETag).
/// </summary>
internal sealed record LocationEntry(string Path, long Size, DateTimeOffset Modified, string? ETag);

/// <summary>
/// Where a <c>files</c> connection's files live (a local folder today; S3, SFTP and others next).
/// FileSource lists and downloads through this so every location has one code path: globs are
/// resolved by listing, files are copied to a local spool, and DuckDB reads the spool.
/// </summary>
internal interface IFileLocation
{
    /// <summary>Names the location in messages, without any secret (e.g. <c>s3://bucket/prefix/</c>).</summary>
    string Describe();

    /// <summary>Every file below the root, in ordinal order of path.</summary>
    IAsyncEnumerable<LocationEntry> ListAsync(CancellationToken cancellationToken);

    /// <summary>Copies one file to <paramref name="localPath"/>, whole or not at all.</summary>
    Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken);

    /// <summary>Moves a file to a folder relative to the root (for <c>after_load: move_to</c>).</summary>
    Task MoveAsync(LocationEntry entry, string targetFolder, CancellationToken cancellationToken);

    Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken);

    /// <summary>A cheap check that the location answers and the root exists (test-connection).</summary>
    Task ProbeAsync(CancellationToken cancellationToken);
}
