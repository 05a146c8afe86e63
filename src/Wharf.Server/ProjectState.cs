using Microsoft.Extensions.Logging;
using Wharf.Projects;

namespace Wharf.Server;

/// <summary>
/// The project the server works from: the last valid wharf.yml. A reload that fails keeps the
/// previous project running and remembers the problem, so the dashboard and /ready can show it.
/// </summary>
internal sealed class ProjectState(ServeOptions options, TimeProvider time, ILogger<ProjectState> logger)
{
    private volatile Snapshot? current;
    private volatile string? problem;

    /// <summary>The last valid project; throws before the first load.</summary>
    public Project Project => (current ?? throw new InvalidOperationException("The project is not loaded yet.")).Project;

    /// <summary>Increases on every successful (re)load, so the scheduler knows to rebuild its plan.</summary>
    public int Version => current?.Version ?? 0;

    /// <summary>When the current project was loaded.</summary>
    public DateTimeOffset LoadedAt => current?.LoadedAt ?? DateTimeOffset.MinValue;

    /// <summary>Why the last reload was rejected (file:line:col and what is wrong), or null when the file on disk is the one running.</summary>
    public string? Problem => problem;

    /// <summary>Loads the project for the first time; an invalid project stops the server from starting.</summary>
    /// <exception cref="ProjectFileException">wharf.yml is missing or invalid.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        var project = await ProjectLoader.LoadAsync(options.ProjectDirectory, options.Environment, cancellationToken);
        current = new Snapshot(project, 1, time.GetUtcNow());
        ServerLog.ProjectLoaded(logger, project.File, project.Pipelines.Length, project.Schedules.Length);
    }

    /// <summary>Reads wharf.yml again; keeps the running project when the new one is invalid.</summary>
    /// <returns>Whether the new file was taken.</returns>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var project = await ProjectLoader.LoadAsync(options.ProjectDirectory, options.Environment, cancellationToken);
            current = new Snapshot(project, Version + 1, time.GetUtcNow());
            problem = null;
            ServerLog.ProjectReloaded(logger, project.File, project.Schedules.Length);
            return true;
        }
        catch (WharfException ex)
        {
            problem = ex.Message;
            ServerLog.ProjectRejected(logger, ex.Message);
            return false;
        }
    }

    private sealed record Snapshot(Project Project, int Version, DateTimeOffset LoadedAt);
}
