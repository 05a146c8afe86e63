using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Wharf.Runs;
using Wharf.Server.Api;

namespace Wharf.Server.Dashboard;

/// <summary>The server-rendered pages: overview, runs, one run, tables, the lake.</summary>
internal static class DashboardPages
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", OverviewAsync);
        app.MapGet("/runs", RunsAsync);
        app.MapGet("/runs/{id}", RunAsync);
        app.MapGet("/tables", TablesAsync);
        app.MapGet("/tables/{schema}/{name}", (HttpContext context, ServerData data, ProjectState state, TimeProvider time, string schema, string name, string? x, string? y) =>
            TablePage.RenderAsync(context, data, state, time, schema, name, x, y));
        app.MapGet("/lineage", LineagePage.RenderAsync);
        app.MapGet("/lake", LakePage.Overview);
        app.MapGet("/lake/{pipeline}/{stream}", LakePage.Stream);
        app.MapGet("/pipelines/{name}", PipelinePage.RenderAsync);
    }

    private static async Task<IResult> OverviewAsync(HttpContext context, ServerData data, ProjectState state)
    {
        var body = new StringBuilder("<table><tr><th>pipeline</th><th>last run</th><th>status</th><th class=n>rows</th><th>next run</th><th>freshness</th><th></th></tr>");
        foreach (var p in await data.PipelinesAsync(context.RequestAborted))
        {
            var status = p.Running ? "<span class=muted>running</span>"
                : p.LastRun is null ? "<span class=muted>never ran</span>"
                : StatusHtml(p.LastRun.Status);
            var freshness = p.FreshnessSla is null ? Html.Age(p.Freshness)
                : $"<span class={(p.Stale ? "bad" : "ok")}>{Html.Age(p.Freshness)} (SLA {Html.Age(p.FreshnessSla)})</span>";
            var failing = p.LastRun?.Checks.Count(c => c.Status != Quality.CheckStatus.Passed) ?? 0;
            body.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/pipelines/{Uri.EscapeDataString(p.Name)}\">{Html.Encode(p.Name)}</a></td><td>{(p.LastRun is null ? "" : $"<a href=\"/runs/{Uri.EscapeDataString(p.LastRun.RunId)}\">")}{Html.Time(p.LastRun?.StartedAt)}{(p.LastRun is null ? "" : "</a>")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{status}{(failing > 0 ? $" <span class=bad>{failing} failing check(s)</span>" : "")}</td><td class=n>{p.LastRun?.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{Html.Time(p.NextRun)}</td><td>{freshness}</td><td><button data-run=\"{Html.Encode(p.Name)}\">Run now</button></td></tr>");
        }

        return Page("Overview", body.Append("</table>").ToString(), state);
    }

    private static async Task<IResult> RunsAsync(HttpContext context, ServerData data, ProjectState state, string? pipeline, string? status)
    {
        var runs = (await data.RunsAsync(500, string.IsNullOrEmpty(pipeline) ? null : pipeline, context.RequestAborted))
            .Where(r => string.IsNullOrEmpty(status) || string.Equals(r.Status.ToString(), status, StringComparison.OrdinalIgnoreCase));
        var body = new StringBuilder("<form><select name=pipeline><option value=\"\">all pipelines</option>");
        foreach (var p in state.Project.Pipelines)
        {
            body.Append(CultureInfo.InvariantCulture, $"<option{(p.Name == pipeline ? " selected" : "")}>{Html.Encode(p.Name)}</option>");
        }

        body.Append("</select> <select name=status><option value=\"\">any status</option>");
        foreach (var s in Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()))
        {
            body.Append(CultureInfo.InvariantCulture, $"<option{(s == status ? " selected" : "")}>{s}</option>");
        }

        body.Append(" </select> <button>Filter</button></form><br>").Append(RunTable(runs));
        return Page("Runs", body.ToString(), state);
    }

    private static async Task<IResult> RunAsync(HttpContext context, ServerData data, ProjectState state, string id)
    {
        var streams = await data.RunAsync(id, context.RequestAborted);
        if (streams.Count == 0)
        {
            return Results.Content(Html.Page("Run not found", $"<p>There is no run '{Html.Encode(id)}'.</p>", state.Problem), "text/html", statusCode: 404);
        }

        var body = new StringBuilder(RunTable(streams, detailed: true));
        foreach (var s in streams)
        {
            body.Append(CultureInfo.InvariantCulture, $"<h2>{Html.Encode(s.Target)}</h2><p>Source: {Html.Encode(s.Source)} · mode {Html.Encode(s.Mode)} · {s.Duration.TotalSeconds:F2} s</p>");
            if (s.Error is not null)
            {
                body.Append(CultureInfo.InvariantCulture, $"<pre class=bad>{Html.Encode(s.Error)}</pre>");
            }

            foreach (var c in s.Checks)
            {
                body.Append(CultureInfo.InvariantCulture, $"<div>check {Html.Encode(c.Name)}: <span class={(c.Status == Quality.CheckStatus.Passed ? "ok" : "bad")}>{c.Status.ToString().ToLowerInvariant()}</span> ({c.FailingRows:N0} of {c.CheckedRows:N0} rows) {Html.Encode(c.Message)}</div>");
            }

            if (s.LakeFiles.Length > 0)
            {
                body.Append(CultureInfo.InvariantCulture, $"<p>Lake files (<a href=\"{LakePage.Link(s.Pipeline, s.Stream)}\">browse the stream</a>):</p><ul>")
                    .AppendJoin("", s.LakeFiles.Select(f => $"<li><code>{Html.Encode(f)}</code></li>")).Append("</ul>");
            }
        }

        body.Append("<h2>Log</h2>").Append(RunLogFiles.Read(state.Project.Directory, id) is { } lines
            ? $"<pre class=log>{Html.Encode(lines)}</pre>"
            : "<p class=muted>No log lines were kept for this run (runs before Wharf kept them, or the project folder was read-only).</p>");
        return Page($"Run {id}", body.ToString(), state);
    }

    private static async Task<IResult> TablesAsync(HttpContext context, ServerData data, ProjectState state)
    {
        var loaded = await data.LastLoadsAsync(context.RequestAborted);
        var body = new StringBuilder("<table><tr><th>table</th><th class=n>rows</th><th>last load</th><th>columns</th></tr>");
        foreach (var t in await data.TablesAsync(context.RequestAborted))
        {
            var last = loaded.TryGetValue($"{t.Schema}.{t.Name}", out var at) ? at : (DateTimeOffset?)null;
            body.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/tables/{Uri.EscapeDataString(t.Schema)}/{Uri.EscapeDataString(t.Name)}\">{Html.Encode(t.Schema)}.{Html.Encode(t.Name)}</a></td><td class=n>{t.Rows:N0}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{Html.Time(last)}</td><td>{Html.Encode(string.Join(", ", t.Columns.Select(c => $"{c.Name} {c.Type}")))}</td></tr>");
        }

        return Page("Tables", body.Append("</table>").ToString(), state);
    }

    internal static string RunTable(IEnumerable<RunRecord> runs, bool detailed = false)
    {
        var html = new StringBuilder("<table><tr><th>run</th><th>pipeline</th><th>table</th><th>started</th><th>status</th><th class=n>rows</th>");
        html.Append(detailed ? "<th class=n>new</th><th class=n>updated</th><th class=n>deleted</th><th class=n>unchanged</th>" : "").Append("<th class=n>seconds</th></tr>");
        foreach (var r in runs)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><a href=\"/runs/{Uri.EscapeDataString(r.RunId)}\">{Html.Encode(r.RunId)}</a></td><td>{Html.Encode(r.Pipeline)}</td><td>{Html.Encode(r.Target)}</td><td>{Html.Time(r.StartedAt)}</td><td>{StatusHtml(r.Status)}</td><td class=n>{r.RowsLoaded:N0}</td>");
            if (detailed)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td class=n>{r.RowsInserted:N0}</td><td class=n>{r.RowsUpdated:N0}</td><td class=n>{r.RowsDeleted:N0}</td><td class=n>{r.RowsUnchanged:N0}</td>");
            }

            html.Append(CultureInfo.InvariantCulture, $"<td class=n>{r.Duration.TotalSeconds:F2}</td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static string StatusHtml(RunStatus status) =>
        $"<span class={(status == RunStatus.Succeeded ? "ok" : "bad")}>{status.ToString().ToLowerInvariant()}</span>";

    private static IResult Page(string title, string body, ProjectState state) =>
        Results.Content(Html.Page(title, body, state.Problem), "text/html; charset=utf-8");
}
