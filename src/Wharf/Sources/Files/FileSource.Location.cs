using Wharf.Lake;
using Wharf.Sources.Files.Locations;

namespace Wharf.Sources.Files;

/// <summary>Where the files are: listing and globs, the spool, <c>after_load:</c>, and cleaning up.</summary>
internal sealed partial class FileSource
{
    /// <summary>The location in messages (no secrets).</summary>
    private string Where => Location.Describe();

    private IFileLocation Location => location ??= FileLocations.For(connection, context?.Time, context?.Logger);

    /// <summary>
    /// Whether the pipeline reads a drop folder, which is empty whenever nothing new has come
    /// (<c>incremental: files</c> or <c>after_load:</c>): a glob matching nothing is then no new
    /// files, not an error. The folder itself must still be there.
    /// </summary>
    private bool DropFolder => pipeline.Incremental.NewFilesOnly || pipeline.AfterLoad is not null;

    /// <summary>The files the globs match, less those an earlier run moved away (<c>after_load: move_to</c>).</summary>
    private async Task<IReadOnlyList<LocationEntry>> MatchAsync(CancellationToken cancellationToken)
    {
        SourceException Fail(string glob, string problem) => new(connection.Name, pipeline.Table, $"Pipeline '{pipeline.Name}' ({pipeline.Location}): {problem}");
        IReadOnlyList<LocationEntry> matched;
        if (DropFolder)
        {
            if (Location is LocalFolderLocation local && !Directory.Exists(local.Root))
            {
                throw Fail("", $"the connection's folder {local.Root} does not exist.");
            }

            // Glob by glob, each allowed to match nothing.
            var found = new List<LocationEntry>();
            foreach (var glob in pipeline.Files)
            {
                IReadOnlyList<LocationEntry> one;
                try
                {
                    one = await Reach(() => Location.MatchAsync([glob], (_, problem) => new NothingMatchedException(problem), cancellationToken));
                }
                catch (NothingMatchedException)
                {
                    continue;
                }

                found.AddRange(one.Where(e => found.All(f => f.Path != e.Path)));
            }

            matched = found;
        }
        else
        {
            matched = await Reach(() => Location.MatchAsync(pipeline.Files, Fail, cancellationToken));
        }

        return pipeline.AfterLoad?.MoveTo is { } archive
            ? [.. matched.Where(e => !e.Path.StartsWith(archive + "/", StringComparison.Ordinal))]
            : matched;
    }

    /// <summary>With <c>incremental: files</c>, the files not loaded before (by identity: a rewritten file is new); all of them otherwise.</summary>
    private IReadOnlyList<LocationEntry> NewFiles(IReadOnlyList<LocationEntry> matched) =>
        pipeline.Incremental.NewFilesOnly ? [.. matched.Where(e => !loadedBefore.Contains(e.Identity))] : matched;

    /// <summary>The dry run's view: a remote location is listed, not downloaded (a local folder's JSON is still read for its child tables).</summary>
    public async Task<IReadOnlyList<SourceStream>> PlanStreamsAsync(CancellationToken cancellationToken = default)
    {
        if (Location is LocalFolderLocation)
        {
            return await ListStreamsAsync(cancellationToken);
        }

        var matched = await MatchAsync(cancellationToken);
        var selected = NewFiles(matched);
        var files = selected.Select(e => Path.Combine(connection.Path, e.Path)).ToList();
        return [new SourceStream(pipeline.Table, $"{files.Count} files matching {string.Join(", ", pipeline.Files)} in {Where}", pipeline.Table, files, selected.Sum(e => e.Size))];
    }

    /// <summary>The files as local files: remote ones downloaded into the run's spool, zips unpacked.</summary>
    private async Task<IReadOnlyList<string>> FetchAsync(IReadOnlyList<LocationEntry> entries, CancellationToken cancellationToken)
    {
        spool ??= new FileSpool(SpoolFolder());
        var files = await Reach(() => spool.FetchAsync(Location, entries, cancellationToken));
        foreach (var file in files)
        {
            spooled[file.LocalPath] = file;
        }

        return [.. files.Select(f => f.LocalPath)];
    }

    /// <summary>
    /// The run's own spool folder, beside the HTTP source's (<c>&lt;lake&gt;/&lt;pipeline&gt;/.spool</c>).
    /// What a run that died left there goes first: the pipeline's lock says no other run uses it.
    /// </summary>
    private string SpoolFolder()
    {
        var root = Path.Combine(LakeDirectory ?? Path.GetTempPath(), pipeline.Name, ".spool");
        if (LakeDirectory is not null && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        return Path.Combine(root, "files-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>A location's failure as the source's, naming the connection.</summary>
    private async Task<T> Reach<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (LocationException ex)
        {
            throw new SourceException(connection.Name, pipeline.Table, $"Pipeline '{pipeline.Name}', connection '{connection.Name}': {ex.Message}", ex);
        }
    }

    /// <summary>A file as its manifest names it: its path, and for a remote location its identity.</summary>
    private LakeSourceFile Identified(string file)
    {
        if (!spooled.TryGetValue(file, out var spooledFile) || Location is LocalFolderLocation)
        {
            return Relative(file);
        }

        var entry = spooledFile.Entry;
        return new LakeSourceFile(spooledFile.Name) { Location = Where, Size = entry.Size, Modified = entry.Modified, ETag = entry.ETag };
    }

    /// <summary>
    /// <c>after_load:</c>, once the stream's rows are committed: each file read is moved or deleted.
    /// A file that cannot be is a warning naming it (its rows are committed; with
    /// <c>incremental: files</c> it is not loaded again).
    /// </summary>
    public async Task<IReadOnlyList<string>> AfterLoadAsync(SourceStream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (pipeline.AfterLoad is not { } after || stream.Name != pipeline.Table || !stream.NestedPath.IsEmpty)
        {
            return [];
        }

        var warnings = new List<string>();
        var archived = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entry in loadedNow)
        {
            try
            {
                await (after.MoveTo is { } folder
                    ? Location.MoveAsync(entry, await ArchivePathAsync(folder, entry, archived, cancellationToken), cancellationToken)
                    : Location.DeleteAsync(entry, cancellationToken));
            }
            catch (Exception ex) when (ex is LocationException or IOException or UnauthorizedAccessException)
            {
                var action = after.MoveTo is { } folder ? $"moved to {folder}/" : "deleted";
                warnings.Add($"after_load: {entry.Path} in {Where} could not be {action}: {ex.Message} Its rows are committed" +
                    (pipeline.Incremental.NewFilesOnly ? "; it will not be loaded again." : "; without 'incremental: files' the next run reads it again."));
            }
        }

        return warnings;
    }

    /// <summary>
    /// Where <c>move_to</c> puts a file: its path below the archive folder, unless a file archived
    /// earlier has that name (a drop folder that gets <c>orders.csv</c> every day): then the time
    /// goes into the name, <c>orders.20261207T150102123Z.csv</c>, so no archived file is replaced.
    /// </summary>
    /// <param name="archived">The names found in each archive folder so far (each folder is listed once).</param>
    private async Task<string> ArchivePathAsync(string folder, LocationEntry entry, Dictionary<string, HashSet<string>> archived, CancellationToken cancellationToken)
    {
        var path = folder.Trim('/') + "/" + entry.Path;
        var slash = path.LastIndexOf('/');
        var (directory, name) = (path[..slash], path[(slash + 1)..]);
        if (!archived.TryGetValue(directory, out var names))
        {
            names = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var file in Location.ListAsync(directory, recursive: false, cancellationToken))
            {
                names.Add(file.Path[(file.Path.LastIndexOf('/') + 1)..]);
            }

            archived[directory] = names;
        }

        if (names.Contains(name))
        {
            var dot = name.IndexOf('.', 1);
            var stamp = (context?.Time ?? TimeProvider.System).GetUtcNow().ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            name = dot < 0 ? $"{name}.{stamp}" : $"{name[..dot]}.{stamp}{name[dot..]}";
        }

        names.Add(name);
        return $"{directory}/{name}";
    }

    public ValueTask DisposeAsync()
    {
        spool?.Dispose();
        location?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A glob of a drop folder matched nothing: no new files.</summary>
internal sealed class NothingMatchedException(string problem) : Exception(problem);
