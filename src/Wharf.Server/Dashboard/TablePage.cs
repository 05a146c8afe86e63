using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Wharf.Server.Api;
using Wharf.Warehouses;

namespace Wharf.Server.Dashboard;

/// <summary>One table: columns, row count, a sample of rows, and a chart of a time column against numeric columns.</summary>
internal static class TablePage
{
    private const int SampleRows = 20;

    /// <summary>The chart reads the newest rows only, so a page over a big table stays fast.</summary>
    private const int ChartRows = 2000;

    public static async Task<IResult> RenderAsync(HttpContext context, ServerData data, ProjectState state, TimeProvider time, string schema, string name, string? x, string? y)
    {
        var table = (await data.TablesAsync(context.RequestAborted)).FirstOrDefault(t => t.Schema == schema && t.Name == name);
        if (table is null)
        {
            return Results.Content(Html.Page("Table not found", $"<p>There is no table {Html.Encode(schema)}.{Html.Encode(name)}.</p>", state.Problem), "text/html", statusCode: 404);
        }

        var times = table.Columns.Where(c => IsTime(c.Type)).Select(c => c.Name).ToList();
        var numbers = table.Columns.Where(c => IsNumber(c.Type)).Select(c => c.Name).ToList();
        // Only names the table has reach the SQL; anything else in the query string is ignored.
        var timeColumn = times.Contains(x ?? "") ? x! : times.FirstOrDefault();
        var chosen = (y ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Where(numbers.Contains).ToList();
        if (chosen.Count == 0)
        {
            chosen = [.. numbers.Where(n => !n.EndsWith("_id", StringComparison.Ordinal) && n != "id").Take(3)];
        }

        using var warehouse = await WarehouseOpener.OpenExistingAsync(state.Project.Warehouse, time, context.RequestAborted);
        await using var connection = await warehouse.ConnectAsync(context.RequestAborted);
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<p>{table.Rows:N0} rows · {table.Columns.Count} columns</p>");
        body.Append("<table><tr><th>column</th><th>type</th></tr>").AppendJoin("", table.Columns.Select(c => $"<tr><td>{Html.Encode(c.Name)}</td><td>{Html.Encode(c.Type)}</td></tr>")).Append("</table>");
        if (timeColumn is not null && chosen.Count > 0)
        {
            body.Append("<h2>Chart</h2><form>time <select name=x>").AppendJoin("", times.Select(t => $"<option{(t == timeColumn ? " selected" : "")}>{Html.Encode(t)}</option>"))
                .Append("</select> values ").AppendJoin(" ", numbers.Select(n => $"<label><input type=checkbox name=yy value=\"{Html.Encode(n)}\"{(chosen.Contains(n) ? " checked" : "")}>{Html.Encode(n)}</label>"))
                .Append(" <button>Draw</button></form>")
                .Append("<script>document.currentScript.previousElementSibling.addEventListener('submit',e=>{e.preventDefault();const f=e.target;const y=[...f.querySelectorAll('input[name=yy]:checked')].map(i=>i.value).join(',');location.search='?x='+encodeURIComponent(f.x.value)+'&y='+encodeURIComponent(y);});</script>")
                .Append(await ChartAsync(connection, schema, name, timeColumn, chosen, context.RequestAborted));
        }

        body.Append("<h2>Sample</h2>").Append(await SampleAsync(connection, schema, name, context.RequestAborted));
        return Results.Content(Html.Page($"{schema}.{name}", body.ToString(), state.Problem), "text/html; charset=utf-8");
    }

    private static async Task<string> ChartAsync(DbConnection connection, string schema, string name, string timeColumn, List<string> columns, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var t = Quote.Identifier(timeColumn);
        var list = string.Join(", ", columns.Select(c => $"cast({Quote.Identifier(c)} as double precision)"));
        command.CommandText = $"select * from (select {t}, {list} from {Quote.Qualified(schema, name)} where {t} is not null order by {t} desc limit {ChartRows}) newest order by 1";
        var x = new List<DateTimeOffset>();
        var values = columns.Select(_ => new List<double?>()).ToList();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            x.Add(reader.GetValue(0) switch
            {
                DateTimeOffset d => d,
                DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
                DateOnly d => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
                var other => DateTimeOffset.Parse(Convert.ToString(other, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
            });
            for (var i = 0; i < columns.Count; i++)
            {
                values[i].Add(reader.IsDBNull(i + 1) ? null : reader.GetDouble(i + 1));
            }
        }

        return SvgChart.Lines(x, [.. columns.Select((c, i) => (c, values[i].ToArray()))]);
    }

    private static async Task<string> SampleAsync(DbConnection connection, string schema, string name, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"select * from {Quote.Qualified(schema, name)} limit {SampleRows}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return Rows(reader);
    }

    /// <summary>A reader's rows as an HTML table (a sample: the reader holds a few rows).</summary>
    internal static string Rows(DbDataReader reader)
    {
        var html = new StringBuilder("<table><tr>");
        for (var i = 0; i < reader.FieldCount; i++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{Html.Encode(reader.GetName(i))}</th>");
        }

        html.Append("</tr>");
        while (reader.Read())
        {
            html.Append("<tr>");
            for (var i = 0; i < reader.FieldCount; i++)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{(reader.IsDBNull(i) ? "<span class=muted>null</span>" : Html.Encode(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)))}</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static bool IsTime(string type) =>
        type.StartsWith("TIMESTAMP", StringComparison.OrdinalIgnoreCase) || type.Equals("DATE", StringComparison.OrdinalIgnoreCase) || type.StartsWith("timestamp", StringComparison.Ordinal);

    private static bool IsNumber(string type) =>
        type.ToUpperInvariant() is "INTEGER" or "BIGINT" or "SMALLINT" or "TINYINT" or "HUGEINT" or "DOUBLE" or "FLOAT" or "REAL" or "DOUBLE PRECISION" or "NUMERIC"
        || type.StartsWith("DECIMAL", StringComparison.OrdinalIgnoreCase) || type.StartsWith("numeric", StringComparison.OrdinalIgnoreCase);
}
