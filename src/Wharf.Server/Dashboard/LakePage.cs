using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Server.Dashboard;

/// <summary>
/// The lake as the dashboard shows it: every pipeline's streams with their files, rows and bytes,
/// and one stream's partitions and files with a sample of its newest file read by DuckDB. Only
/// pipelines of the project and streams their manifests name are looked up: nothing in the URL
/// becomes a path.
/// </summary>
internal static class LakePage
{
    private const int SampleRows = 20;

    public static IResult Overview(ProjectState state)
    {
        if (OnS3(state) is { } onS3)
        {
            return onS3;
        }

        var layout = new LakeLayout(state.Project.LakeDirectory);
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<p>Lake at <code>{Html.Encode(layout.Root)}</code>: each extract as Parquet, a manifest beside each file.</p>");
        body.Append("<table><tr><th>pipeline</th><th>stream</th><th class=n>runs</th><th class=n>files</th><th class=n>rows</th><th class=n>bytes</th><th>newest run</th></tr>");
        foreach (var pipeline in state.Project.Pipelines)
        {
            foreach (var stream in layout.Manifests(pipeline.Name).GroupBy(m => m.Stream))
            {
                var newest = stream.MaxBy(m => m.RunId)!;
                body.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Encode(pipeline.Name)}</td><td><a href=\"{Link(pipeline.Name, stream.Key)}\">{Html.Encode(stream.Key)}</a></td>")
                    .Append(CultureInfo.InvariantCulture, $"<td class=n>{stream.Select(m => m.RunId).Distinct().Count():N0}</td><td class=n>{stream.Count():N0}</td><td class=n>{stream.Sum(m => m.Rows):N0}</td><td class=n>{Bytes(stream.Sum(m => m.Bytes))}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td><a href=\"/runs/{Uri.EscapeDataString(newest.RunId)}\">{Html.Time(newest.StartedAt)}</a></td></tr>");
            }
        }

        return Page("Lake", body.Append("</table>").ToString(), state);
    }

    public static IResult Stream(ProjectState state, string pipeline, string stream)
    {
        if (OnS3(state) is { } onS3)
        {
            return onS3;
        }

        var layout = new LakeLayout(state.Project.LakeDirectory);
        var files = state.Project.Pipelines.Any(p => p.Name == pipeline)
            ? layout.Manifests(pipeline).Where(m => m.Stream == stream).ToList()
            : [];
        if (files.Count == 0)
        {
            return Results.Content(Html.Page("Not in the lake", $"<p>The lake has no files of {Html.Encode(pipeline)}/{Html.Encode(stream)}.</p>", state.Problem), "text/html", statusCode: 404);
        }

        var newest = files[^1];
        var body = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<p>{files.Count:N0} file{(files.Count == 1 ? "" : "s")} · {files.Sum(f => f.Rows):N0} rows · {Bytes(files.Sum(f => f.Bytes))}</p>");
        body.Append("<h2>Columns (newest file)</h2><table><tr><th>column</th><th>type</th><th>stored as</th></tr>")
            .AppendJoin("", newest.Columns.Select(c => $"<tr><td>{Html.Encode(c.Name)}</td><td>{Html.Encode(c.Type)}</td><td>{Html.Encode(c.StoredAs)}</td></tr>")).Append("</table>");
        foreach (var partition in files.GroupBy(f => Path.GetDirectoryName(f.File)!.Replace('\\', '/')).Reverse())
        {
            body.Append(CultureInfo.InvariantCulture, $"<h2>{Html.Encode(partition.Key)}</h2><table><tr><th>file</th><th>run</th><th class=n>rows</th><th class=n>bytes</th><th>written</th><th>from</th></tr>");
            foreach (var file in partition.Reverse())
            {
                var from = file.SourceFiles.IsEmpty ? file.SourceQuery : string.Join(", ", file.SourceFiles);
                body.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{Html.Encode(Path.GetFileName(file.File))}</code></td><td><a href=\"/runs/{Uri.EscapeDataString(file.RunId)}\">{Html.Encode(file.RunId)}</a></td>")
                    .Append(CultureInfo.InvariantCulture, $"<td class=n>{file.Rows:N0}</td><td class=n>{Bytes(file.Bytes)}</td><td>{Html.Time(file.FinishedAt)}</td><td><code>{Html.Encode(Shorten(from))}</code></td></tr>");
            }

            body.Append("</table>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<h2>Sample of the newest file</h2>").Append(Sample(layout, newest));
        return Page($"Lake: {pipeline}/{stream}", body.ToString(), state);
    }

    /// <summary>The first rows of a file, read by DuckDB in memory with each column's real type.</summary>
    /// <summary>The lake pages read a local lake's manifests; a lake on S3 is not browsed from here (yet): the page says so, and where to look instead.</summary>
    private static IResult? OnS3(ProjectState state) => state.Project.LakeS3 is not { } bucket ? null : Page("Lake",
        $"<p>The lake is on S3, at <code>{Html.Encode(bucket.Describe())}</code>. The dashboard's lake pages show a local lake only: " +
        "each run's page lists its lake files, and <code>wharf replay</code> reads them back from the bucket.</p>", state);

    private static string Sample(LakeLayout layout, LakeManifest file)
    {
        var path = Path.Combine(layout.Root, file.File);
        if (!File.Exists(path))
        {
            return "<p class=muted>The file is gone.</p>";
        }

        try
        {
            using var duckdb = DuckDbConnections.Open(null);
            using var command = duckdb.CreateCommand();
            command.CommandText = $"SELECT {string.Join(", ", file.Columns.Select(c => $"{c.ReadExpression} AS {Quote.Identifier(c.Name)}"))} FROM read_parquet({Quote.Literal(path)}) LIMIT {SampleRows}";
            using var reader = command.ExecuteReader();
            return TablePage.Rows(reader);
        }
        catch (DuckDB.NET.Data.DuckDBException ex)
        {
            return $"<p class=bad>DuckDB could not read {Html.Encode(file.File)}: {Html.Encode(ex.Message)}</p>";
        }
    }

    public static string Link(string pipeline, string stream) => $"/lake/{Uri.EscapeDataString(pipeline)}/{Uri.EscapeDataString(stream)}";

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..77] + "…";

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    private static IResult Page(string title, string body, ProjectState state) =>
        Results.Content(Html.Page(title, body, state.Problem), "text/html; charset=utf-8");
}
