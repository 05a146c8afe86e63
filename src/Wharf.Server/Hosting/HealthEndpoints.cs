using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Wharf.Warehouses;

namespace Wharf.Server.Hosting;

/// <summary><c>/health</c> (the process serves) and <c>/ready</c> (the project is loaded and the warehouse answers).</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Text("ok\n"));
        app.MapGet("/ready", ReadyAsync);
    }

    private static async Task<IResult> ReadyAsync(HttpContext context, ProjectState state, TimeProvider time)
    {
        if (state.Version == 0)
        {
            return Results.Json(new { ready = false, reason = "the project is not loaded yet" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            // Opening (not requiring an existing file) is what a run does, so a new project is ready too.
            using var warehouse = await WarehouseOpener.OpenAsync(state.Project.Warehouse, time, TimeSpan.Zero, context.RequestAborted);
            await using var connection = await warehouse.ConnectAsync(context.RequestAborted);
            return Results.Json(new { ready = true, project_problem = state.Problem });
        }
        catch (WharfException ex)
        {
            return Results.Json(new { ready = false, reason = $"the warehouse is not reachable: {ex.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
