using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Wharf.Runs;
using Wharf.Server.Scheduling;
using Wharf.Warehouses;

namespace Wharf.Server.Api;

/// <summary>The JSON API under <c>/api</c>: runs, pipelines, tables, and starting a run.</summary>
internal static class ApiEndpoints
{
    /// <summary>How many audit rows the API reads at most to answer one request.</summary>
    internal const int MaxRuns = 10_000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/runs", ListRunsAsync);
        app.MapGet("/api/runs/{id}", GetRunAsync);
        app.MapGet("/api/pipelines", ListPipelinesAsync);
        app.MapGet("/api/tables", ListTablesAsync);
        app.MapPost("/api/pipelines/{name}/runs", StartRun);
    }

    private static async Task<IResult> ListRunsAsync(HttpContext context, ServerData data, string? pipeline, string? status, string? since, int? limit)
    {
        var cutoff = DateTimeOffset.MinValue;
        if (since is not null && !DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out cutoff))
        {
            return Results.BadRequest(new { error = $"since must be a date or time (e.g. 2026-01-31 or 2026-01-31T08:00:00Z), not '{since}'." });
        }

        if (status is not null && !Enum.TryParse<RunStatus>(status, ignoreCase: true, out _))
        {
            return Results.BadRequest(new { error = $"status must be one of {string.Join(", ", Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()))}, not '{status}'." });
        }

        var runs = await data.RunsAsync(MaxRuns, pipeline, context.RequestAborted);
        var selected = runs
            .Where(r => status is null || string.Equals(r.Status.ToString(), status, StringComparison.OrdinalIgnoreCase))
            .Where(r => r.StartedAt >= cutoff)
            .Take(Math.Clamp(limit ?? 100, 1, MaxRuns));
        return Results.Json(selected.Select(RunRecordJson.From));
    }

    private static async Task<IResult> GetRunAsync(HttpContext context, ServerData data, string id)
    {
        var streams = await data.RunAsync(id, context.RequestAborted);
        return streams.Count == 0
            ? Results.NotFound(new { error = $"there is no run '{id}' in _wharf.runs." })
            : Results.Json(new { run_id = id, streams = streams.Select(RunRecordJson.From) });
    }

    private static async Task<IResult> ListPipelinesAsync(HttpContext context, ServerData data) =>
        Results.Json((await data.PipelinesAsync(context.RequestAborted)).Select(p => p.ToJson()));

    private static async Task<IResult> ListTablesAsync(HttpContext context, ServerData data) =>
        Results.Json((await data.TablesAsync(context.RequestAborted)).Select(t => new { schema = t.Schema, name = t.Name, rows = t.Rows, columns = t.Columns.Select(c => new { name = c.Name, type = c.Type }) }));

    private static IResult StartRun(ProjectState state, RunCoordinator runs, string name)
    {
        if (state.Project.Pipelines.All(p => p.Name != name))
        {
            return Results.NotFound(new { error = $"there is no pipeline named '{name}'. Pipelines: {string.Join(", ", state.Project.Pipelines.Select(p => p.Name))}." });
        }

        var result = runs.Trigger([name], "API request");
        return result.Outcome switch
        {
            TriggerOutcome.Started => Results.Accepted($"/api/pipelines", new { status = "started", trigger_id = result.TriggerId }),
            TriggerOutcome.Skipped => Results.Conflict(new { status = "skipped", reason = result.Reason }),
            _ => Results.Json(new { status = "refused", reason = result.Reason }, statusCode: StatusCodes.Status503ServiceUnavailable),
        };
    }
}
