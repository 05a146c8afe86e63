using Wharf.Projects;
using Wharf.Warehouses;

namespace Wharf.Pipelines;

/// <summary>
/// Both locks a pipeline's run holds: the project folder's (<see cref="PipelineLock"/>, against
/// runs on this machine) and the warehouse's (against runs anywhere), released in reverse order.
/// </summary>
internal sealed class PipelineLocks : IAsyncDisposable
{
    private readonly PipelineLock folder;
    private readonly IAsyncDisposable warehouse;

    private PipelineLocks(PipelineLock folder, IAsyncDisposable warehouse)
    {
        this.folder = folder;
        this.warehouse = warehouse;
    }

    /// <exception cref="WharfException">Another run holds one of them (past the wait); the message names it.</exception>
    public static async Task<PipelineLocks> AcquireAsync(Project project, IWarehouse warehouse, string pipeline, string runId, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var folder = await PipelineLock.AcquireAsync(project.Directory, pipeline, runId, wait, time, cancellationToken);
        try
        {
            var held = await warehouse.LockPipelineAsync(pipeline, $"run {runId} pid {Environment.ProcessId}@{Environment.MachineName}", wait, cancellationToken);
            return new PipelineLocks(folder, held);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await warehouse.DisposeAsync();
        folder.Dispose();
    }
}
