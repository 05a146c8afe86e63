using System.Collections.Immutable;
using Wharf.Projects;

namespace Wharf;

/// <summary>
/// A validated Wharf project: its warehouse, lake, connections and pipelines, read from a
/// folder's <c>wharf.yml</c> (<see cref="LoadAsync"/>) or built in code (<see cref="Create"/>),
/// with the same checks and error messages either way. Open it to run pipelines
/// (<see cref="OpenAsync"/>).
/// </summary>
public sealed class WharfProject
{
    internal WharfProject(Project project) => Settings = project;

    internal Project Settings { get; }

    /// <summary>The project folder: relative paths (files, the lake, a DuckDB warehouse) start here.</summary>
    public string Folder => Settings.Directory;

    /// <summary>The pipelines' names, in the order they run.</summary>
    public ImmutableArray<string> Pipelines => [.. Settings.Pipelines.Select(p => p.Name)];

    /// <summary>The lake: its folder (absolute), or <c>s3://bucket/prefix/</c> for a lake on S3.</summary>
    public string Lake => Settings.LakeDescription;

    /// <summary>
    /// Loads <c>wharf.yml</c> from <paramref name="folder"/>. <c>${VAR}</c> reads
    /// <paramref name="environment"/> (default: the process environment), then the folder's <c>.env</c>.
    /// </summary>
    /// <exception cref="ProjectFileException">The file is missing, is not valid YAML, or asks for something Wharf cannot do; the message names the file, line and column.</exception>
    public static async Task<WharfProject> LoadAsync(string folder, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return new WharfProject(await ProjectLoader.LoadAsync(folder, environment, cancellationToken));
    }

    /// <summary>Starts a project built in code, with <paramref name="folder"/> as its folder (nothing is read from it).</summary>
    public static WharfProjectBuilder Create(string folder) => new(folder);

    /// <summary>
    /// Opens the project's warehouse (creating a DuckDB file if needed) for runs, checks, the
    /// audit and queries. Dispose the session to close it.
    /// </summary>
    /// <exception cref="WharfException">The warehouse cannot be reached, or another process holds the DuckDB file (see <see cref="WharfOptions.WaitForLock"/>).</exception>
    public Task<WharfSession> OpenAsync(WharfOptions? options = null, CancellationToken cancellationToken = default) =>
        WharfSession.OpenAsync(this, options ?? new WharfOptions(), cancellationToken);
}
