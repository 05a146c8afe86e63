using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Wharf.Runs;
using Wharf.Server.Api;

namespace Wharf.Cli.Rendering;

/// <summary>The end-of-run summary: rows per table and the time taken, or JSON for machines.</summary>
internal static class RunSummaryWriter
{
    public static void WriteTable(IAnsiConsole console, RunSummary summary)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("pipeline").AddColumn("table").AddColumn("status")
            .AddColumn(new TableColumn("rows").RightAligned()).AddColumn(new TableColumn("seconds").RightAligned())
            .AddColumn(new TableColumn("rows/s").RightAligned())
            .AddColumn(new TableColumn("new").RightAligned()).AddColumn(new TableColumn("updated").RightAligned())
            .AddColumn(new TableColumn("deleted").RightAligned()).AddColumn(new TableColumn("unchanged").RightAligned());
        var setAside = summary.Streams.Any(s => s.RowsQuarantined > 0 || s.RowsDiscarded > 0);
        if (setAside)
        {
            table.AddColumn(new TableColumn("quarantined").RightAligned()).AddColumn(new TableColumn("discarded").RightAligned());
        }

        foreach (var s in summary.Streams)
        {
            string[] extra = setAside ? [Count(s.RowsQuarantined), Count(s.RowsDiscarded)] : [];
            table.AddRow([
                Markup.Escape(s.Pipeline),
                Markup.Escape(s.Target),
                s.Status == RunStatus.Succeeded ? "[green]ok[/]" : "[red]failed[/]",
                s.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture),
                s.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
                RunProgress.Rate(s.RowsLoaded, s.Duration),
                Count(s.RowsInserted),
                Count(s.RowsUpdated),
                Count(s.RowsDeleted),
                Count(s.RowsUnchanged),
                .. extra]);
        }

        console.Write(table);
        CheckSummary.WriteNotes(console, summary.Streams);
        var failed = summary.Streams.Where(s => s.Status != RunStatus.Succeeded).ToList();
        var loaded = summary.Streams.Sum(s => s.RowsLoaded);
        console.MarkupLine(failed.Count == 0
            ? $"[green]Done:[/] {loaded.ToString("N0", CultureInfo.InvariantCulture)} rows in {summary.Streams.Length} table(s), {summary.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)}s."
            : $"[red]{failed.Count} of {summary.Streams.Length} stream(s) failed[/] ({summary.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)}s). A failed load is rolled back; a cursor stream keeps the chunks it committed and the next run resumes after them.");
        foreach (var f in failed)
        {
            Console.Error.WriteLine($"error: {f.Error}");
        }
    }

    private static string Count(long rows) => rows.ToString("N0", CultureInfo.InvariantCulture);

    public static void WriteJson(TextWriter output, RunSummary summary)
    {
        var document = new
        {
            succeeded = summary.Succeeded,
            duration_seconds = summary.Duration.TotalSeconds,
            streams = summary.Streams.Select(RunRecordJson.From),
        };
        output.WriteLine(JsonSerializer.Serialize(document, JsonOutput.Options));
    }
}

internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
