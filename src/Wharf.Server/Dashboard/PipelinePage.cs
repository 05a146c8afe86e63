using System.Text;
using Microsoft.AspNetCore.Http;
using Wharf.Runs;
using Wharf.Server.Api;

namespace Wharf.Server.Dashboard;

/// <summary>One pipeline: rows and duration per run over time, and its recent runs.</summary>
internal static class PipelinePage
{
    private const int Runs = 500;

    public static async Task<IResult> RenderAsync(HttpContext context, ServerData data, ProjectState state, string name)
    {
        if (state.Project.Pipelines.All(p => p.Name != name))
        {
            return Results.Content(Html.Page("Pipeline not found", $"<p>There is no pipeline '{Html.Encode(name)}'.</p>", state.Problem), "text/html", statusCode: 404);
        }

        var streams = (await data.RunsAsync(Runs, name, context.RequestAborted)).Where(r => r.Kind == RunRecord.LoadKind).ToList();
        // One point per run: its streams added up, oldest first.
        var runs = streams.GroupBy(r => r.RunId)
            .Select(g => (Started: g.Min(r => r.StartedAt), Rows: (double?)g.Sum(r => r.RowsLoaded), Seconds: (double?)(g.Max(r => r.FinishedAt) - g.Min(r => r.StartedAt)).TotalSeconds))
            .OrderBy(r => r.Started).ToList();
        var body = new StringBuilder();
        body.Append("<h2>Rows loaded per run</h2>").Append(SvgChart.Lines([.. runs.Select(r => r.Started)], [("rows", [.. runs.Select(r => r.Rows)])]));
        body.Append("<h2>Duration per run (seconds)</h2>").Append(SvgChart.Lines([.. runs.Select(r => r.Started)], [("seconds", [.. runs.Select(r => r.Seconds)])]));
        body.Append("<h2>Runs</h2>").Append(DashboardPages.RunTable(streams.Take(100)));
        return Results.Content(Html.Page($"Pipeline {name}", body.ToString(), state.Problem), "text/html; charset=utf-8");
    }
}
