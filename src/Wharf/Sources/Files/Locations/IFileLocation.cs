namespace Wharf.Sources.Files.Locations;

/// <summary>
/// One file found at a location: its path relative to the location's root (always with '/'), and
/// the identity that says whether it changed since it was loaded (size, modification time, ETag).
/// </summary>
internal sealed record LocationEntry(string Path, long Size, DateTimeOffset Modified, string? ETag)
{
    /// <summary>
    /// The file's identity in <c>incremental: files</c> state: the path with the size and the ETag
    /// (or, without one, the modification time). A file rewritten in place gets a new identity.
    /// The ETag is compared weakly (RFC 9110 8.8.3.2): Apache marks it weak (<c>W/</c>) while the
    /// file is less than a second old and strong afterwards, for the same file.
    /// </summary>
    public string Identity => $"{Path}\t{Size}\t{WeakTag ?? Modified.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    private string? WeakTag => ETag is { } tag && tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : ETag;

    /// <summary>The path of an <see cref="Identity"/>.</summary>
    public static string PathOf(string identity) => identity.Split('\t')[0];
}

/// <summary>
/// Where a <c>files</c> connection's files live (a local folder, an S3 bucket). FileSource lists and
/// downloads through this so every location has one code path: globs are resolved by listing,
/// remote files are copied whole to a local spool, and DuckDB reads local files.
/// </summary>
internal interface IFileLocation : IDisposable
{
    /// <summary>Names the location in messages, without any secret (e.g. <c>s3://bucket/prefix/</c>).</summary>
    string Describe();

    /// <summary>The files in <paramref name="folder"/> (relative to the root, "" for the root; and below it when <paramref name="recursive"/>); none when the folder does not exist.</summary>
    IAsyncEnumerable<LocationEntry> ListAsync(string folder, bool recursive, CancellationToken cancellationToken);

    /// <summary>The files the globs match, in glob then path order, each once; a glob that matches nothing is an error made by <paramref name="fail"/>.</summary>
    Task<IReadOnlyList<LocationEntry>> MatchAsync(IReadOnlyList<string> globs, Func<string, string, Exception> fail, CancellationToken cancellationToken) =>
        LocationGlob.MatchAsync(this, globs, fail, cancellationToken);

    /// <summary>The file on this machine when DuckDB can read it where it is; null when it must be downloaded first.</summary>
    string? LocalPath(LocationEntry entry);

    /// <summary>Copies one file to <paramref name="localPath"/>, whole or not at all (a broken transfer leaves nothing there).</summary>
    Task DownloadAsync(LocationEntry entry, string localPath, CancellationToken cancellationToken);

    /// <summary>Moves a file to <paramref name="targetPath"/> (relative to the root; for <c>after_load: move_to</c>), making its folders.</summary>
    Task MoveAsync(LocationEntry entry, string targetPath, CancellationToken cancellationToken);

    Task DeleteAsync(LocationEntry entry, CancellationToken cancellationToken);

    /// <summary>A cheap check that the location answers and its root exists (test-connection); one line about it.</summary>
    Task<string> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>A location could not be reached or read: the message says what failed (DNS, refused, credentials, missing bucket), never a secret.</summary>
internal sealed class LocationException(string message, bool transient, Exception? inner = null) : WharfException(message, inner)
{
    public override bool IsTransient => transient;
}
