using System.Collections.Immutable;
using Wharf.Incremental;
using Wharf.Projects;
using Wharf.Sources;
using Wharf.Sources.Sql.Postgres;
using Wharf.Warehouses;

using Wharf.Runs;

namespace Wharf.Pipelines;

/// <summary>
/// Works out what <see cref="Runner"/> would do, without doing it: the sources are read only to
/// resolve their streams (files listed, catalogs read), the saved state only to say where a cursor
/// would start. No warehouse, lake folder, lock, state or audit row is created or written.
/// </summary>
internal sealed class RunPlanner(Project project)
{
    /// <summary>Plan as <c>--full-refresh</c> would run: ignoring saved watermarks.</summary>
    public bool FullRefresh { get; init; }

    /// <summary>The plan of the named pipelines (all when none are named), in the order of the project file.</summary>
    /// <exception cref="WharfException">A PostgreSQL warehouse cannot be reached.</exception>
    public async Task<RunPlan> PlanAsync(IReadOnlyCollection<string> pipelineNames, CancellationToken cancellationToken = default)
    {
        var pipelines = project.Select(pipelineNames);
        var saved = await SavedState.ReadAsync(project.Warehouse, [.. pipelines.Select(p => p.Name)], cancellationToken);
        var plans = ImmutableArray.CreateBuilder<PipelinePlan>();
        foreach (var pipeline in pipelines)
        {
            plans.Add(await PlanAsync(pipeline, saved.For(pipeline.Name), cancellationToken));
        }

        return new RunPlan(Describe(project.Warehouse), saved.Exists, project.LakeDescription, plans.ToImmutable()) { WarehouseNote = saved.Note };
    }

    private async Task<PipelinePlan> PlanAsync(PipelineSettings pipeline, IReadOnlyList<StreamState> states, CancellationToken cancellationToken)
    {
        var connection = project.Connection(pipeline.Source);
        var plan = new PipelinePlan(pipeline.Name, connection.Name, connection.Type, pipeline.Mode.ToString().ToLowerInvariant())
        {
            Query = pipeline.Query,
            Cursor = pipeline.Incremental.Cursor,
        };
        IReadOnlyList<SourceStream> streams;
        try
        {
            var source = SourceFactory.Create(connection, pipeline);
            await using var sourceLifetime = source as IAsyncDisposable;
            source.Resume(states);
            streams = await source.PlanStreamsAsync(cancellationToken);
        }
        catch (WharfException ex)
        {
            return plan with { Error = ex.Message };
        }

        return plan with
        {
            Streams = [.. streams.Select(stream => Plan(pipeline, connection, stream, states.FirstOrDefault(s => s.Stream == stream.Name)))],
        };
    }

    private PlannedStream Plan(PipelineSettings pipeline, ConnectionSettings connection, SourceStream stream, StreamState? state)
    {
        // As the runner picks it: the pipeline's key, else the source's; a nested JSON child table's own.
        var key = pipeline.PrimaryKey.IsEmpty || !stream.NestedPath.IsEmpty ? [.. stream.PrimaryKey] : pipeline.PrimaryKey;
        var keyed = pipeline.Mode is WriteMode.Merge or WriteMode.Scd2;
        return new PlannedStream(
            stream.Name,
            stream.Description,
            $"{pipeline.Schema}.{stream.Target}",
            project.LakeS3 is { } bucket ? $"{bucket.Describe()}{pipeline.Name}/{stream.Name}" : Path.Combine(project.LakeDirectory, pipeline.Name, stream.Name),
            StartsFrom(pipeline, connection, state))
        {
            Files = [.. stream.Files.Select(f => Path.GetRelativePath(connection.Path, f).Replace('\\', '/'))],
            PrimaryKey = key,
            Watermark = state?.Watermark?.ToString(),
            Note = keyed && key.IsEmpty ? $"{stream.Name} has no primary key, which mode {pipeline.Mode.ToString().ToLowerInvariant()} needs: declare one (primary_key: or --primary-key)." : null,
        };
    }

    /// <summary>Where the extract starts, as the runner's cursor bound would have it.</summary>
    private string StartsFrom(PipelineSettings pipeline, ConnectionSettings connection, StreamState? state)
    {
        if (connection.DeliversOnce)
        {
            return FullRefresh ? "the messages not yet delivered (--full-refresh keeps the table: the broker cannot deliver the others again)"
                : "the messages not yet delivered";
        }

        var incremental = pipeline.Incremental;
        if (!incremental.HasCursor)
        {
            return FullRefresh || pipeline.Mode == WriteMode.Replace ? "every row; the table is rebuilt"
                : incremental.ChangeDetection == ChangeDetection.Hash ? "every row, compared with the last snapshot"
                : "every row";
        }

        var cursor = string.Join(", ", incremental.Cursor);
        if (FullRefresh)
        {
            return "the beginning (--full-refresh ignores the saved watermark); the table is rebuilt";
        }

        if (state?.Watermark is { } watermark && watermark.Matches(incremental.Cursor))
        {
            return incremental.Lookback is { } lookback ? $"{watermark}, less the lookback {lookback.Text}" : $"{watermark} (rows at or past it)";
        }

        var changed = state?.Watermark is { } other ? $" (the saved watermark {other} is for another cursor than {cursor})" : "";
        return incremental.Initial is { } initial ? $"the initial value {cursor}={initial}{changed}"
            : state is { Watermark: null, Snapshot.IsEmpty: true } ? $"rows whose {cursor} is set (the last run saw only NULL cursors)"
            : changed.Length > 0 ? "the beginning" + changed
            : "the beginning (no saved watermark)";
    }

    private static string Describe(WarehouseSettings warehouse) => warehouse.Kind == WarehouseKind.Postgres
        ? "postgres://" + PostgresConnectionString.Describe(warehouse.Connection!)
        : "duckdb:" + warehouse.Location;
}
