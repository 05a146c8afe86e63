using System.Data.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Quality;
using Wharf.Runs;
using Wharf.Warehouses;
using Wharf.Pipelines;

namespace Wharf;

/// <summary>
/// A project with its warehouse open: run pipelines, run checks, read the audit, query. One
/// session runs one thing at a time; dispose it to close the warehouse.
/// </summary>
public sealed class WharfSession : IDisposable
{
    private readonly WharfProject project;
    private readonly IWarehouse warehouse;
    private readonly WharfOptions options;

    private WharfSession(WharfProject project, IWarehouse warehouse, WharfOptions options)
    {
        this.project = project;
        this.warehouse = warehouse;
        this.options = options;
    }

    internal static async Task<WharfSession> OpenAsync(WharfProject project, WharfOptions options, CancellationToken cancellationToken)
    {
        var warehouse = await WarehouseFactory.OpenAsync(project.Settings.Warehouse, options.Time, options.WaitForLock, cancellationToken);
        return new WharfSession(project, warehouse, options);
    }

    /// <summary>
    /// Runs every pipeline, or the named ones in the order given: extract, land in the lake, check
    /// and load, each stream in one transaction with its audit row and state. A failed stream is a
    /// result (<see cref="RunSummary.Succeeded"/> is false, its record says why), not an exception.
    /// </summary>
    /// <param name="progress">Hears each stream start, progress and finish.</param>
    /// <exception cref="WharfException">A name matches no pipeline.</exception>
    public Task<RunSummary> RunAsync(IReadOnlyCollection<string>? pipelines = null, IProgress<RunEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Wharf.Run");
        var runner = new Runner(project.Settings, warehouse, options.Time, logger) { FullRefresh = options.FullRefresh, WaitForLock = options.WaitForLock };
        return runner.RunAsync(pipelines ?? [], progress, cancellationToken);
    }

    /// <summary>
    /// Builds the project's models: seeds, then models in dependency order, each tested right
    /// after it is built; a failure skips what reads it. Each node is a row of <c>_wharf.runs</c>.
    /// </summary>
    /// <param name="select">Selectors (<c>name</c>, <c>+name</c>, <c>name+</c>, <c>tag:x</c>, <c>path:models/marts</c>); everything when empty.</param>
    /// <exception cref="Projects.ProjectFileException">A template, ref or cycle problem, with file, line and column: nothing is built.</exception>
    public async Task<Models.BuildSummary> BuildAsync(IReadOnlyList<string>? select = null, IProgress<Models.BuildResult>? progress = null, CancellationToken cancellationToken = default)
    {
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Wharf.Build");
        var models = await Models.ModelProjectReader.ReadAsync(project.Settings, cancellationToken);
        var builder = new Models.ModelBuilder(project.Settings, models, warehouse, options.Time, logger) { FullRefresh = options.FullRefresh };
        return await builder.BuildAsync(select ?? [], progress, cancellationToken);
    }

    /// <summary>Runs the pipelines' declared checks on the warehouse tables as they are (nothing is loaded); one record per table, its checks in <see cref="RunRecord.Checks"/>.</summary>
    public Task<IReadOnlyList<RunRecord>> CheckAsync(IReadOnlyCollection<string>? pipelines = null, CancellationToken cancellationToken = default) =>
        new WarehouseChecks(project.Settings, warehouse, options.Time).RunAsync(pipelines ?? [], cancellationToken);

    /// <summary>The audit trail (<c>_wharf.runs</c>), newest first.</summary>
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(int last = 20, string? pipeline = null, CancellationToken cancellationToken = default) =>
        warehouse.ListRunsAsync(last, pipeline, cancellationToken);

    /// <summary>Runs SQL against the warehouse and streams its rows (DuckDB or PostgreSQL SQL, as the warehouse is).</summary>
    public DbDataReader Query(string sql) => warehouse.Query(sql);

    public void Dispose() => warehouse.Dispose();
}
