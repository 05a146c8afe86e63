using Microsoft.Extensions.Hosting;
using Wharf.Projects;

namespace Wharf.Server.Hosting;

/// <summary>Reloads the project when wharf.yml or .env changes (editors write in bursts, so changes settle for half a second first).</summary>
internal sealed class ProjectWatcher(ProjectState state, ServeOptions options, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(Path.GetFullPath(options.ProjectDirectory))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
        };
        watcher.Filters.Add(Project.FileName);
        watcher.Filters.Add(".env");
        FileSystemEventHandler signal = (_, _) => changed.Release();
        watcher.Changed += signal;
        watcher.Created += signal;
        watcher.Renamed += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await changed.WaitAsync(stoppingToken);
                await Task.Delay(Settle, time, stoppingToken);
                while (changed.CurrentCount > 0)
                {
                    await changed.WaitAsync(stoppingToken);
                }

                await state.ReloadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
