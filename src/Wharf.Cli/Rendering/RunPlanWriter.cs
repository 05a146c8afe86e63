using System.Text.Json;
using Spectre.Console;
using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.Cli.Rendering;

/// <summary>The plan of <c>wharf run --dry-run</c>: plain lines for people, or JSON for machines.</summary>
internal static class RunPlanWriter
{
    public static void WriteText(IAnsiConsole console, RunPlan plan)
    {
        console.WriteLine($"warehouse  {Shown(plan.Warehouse)}{(plan.WarehouseExists ? "" : " (not there yet: the run would create it)")}");
        if (plan.WarehouseNote is { } note)
        {
            console.WriteLine($"           note: {note}");
        }

        console.WriteLine($"lake       {Display(plan.Lake)}/");
        foreach (var pipeline in plan.Pipelines)
        {
            console.WriteLine();
            console.WriteLine($"pipeline {pipeline.Name}: {pipeline.ConnectionType} connection {pipeline.Connection}, mode {pipeline.Mode}");
            if (pipeline.Query is { } query)
            {
                console.WriteLine($"  query    {query}");
            }

            if (pipeline.Error is { } error)
            {
                console.WriteLine($"  error    {error}");
                continue;
            }

            foreach (var stream in pipeline.Streams)
            {
                console.WriteLine($"  {stream.Name} → {stream.Target}");
                console.WriteLine($"    reads    {stream.Reads}");
                if (stream.Files.Length > 1)
                {
                    console.WriteLine($"    files    {string.Join(", ", stream.Files)}");
                }

                if (!stream.PrimaryKey.IsEmpty)
                {
                    console.WriteLine($"    key      {string.Join(", ", stream.PrimaryKey)}");
                }

                console.WriteLine(pipeline.Cursor.IsEmpty ? $"    extract  {stream.StartsFrom}" : $"    cursor   {string.Join(", ", pipeline.Cursor)}, from {stream.StartsFrom}");
                console.WriteLine($"    lake     {Display(stream.LakeFolder)}/");
                if (stream.Note is { } streamNote)
                {
                    console.WriteLine($"    note     {streamNote}");
                }
            }
        }

        console.WriteLine();
        var streams = plan.Pipelines.Sum(p => p.Streams.Length);
        console.WriteLine(plan.Succeeded
            ? $"Dry run: {streams} stream(s) of {plan.Pipelines.Length} pipeline(s) would be loaded. Nothing was written."
            : $"Dry run: {plan.Pipelines.Count(p => p.Error is not null)} pipeline(s) could not be resolved (see above). Nothing was written.");
        foreach (var failed in plan.Pipelines.Where(p => p.Error is not null))
        {
            Console.Error.WriteLine($"error: {failed.Error}");
        }
    }

    public static void WriteJson(TextWriter output, RunPlan plan)
    {
        var document = new
        {
            dry_run = true,
            succeeded = plan.Succeeded,
            warehouse = plan.Warehouse,
            warehouse_exists = plan.WarehouseExists,
            warehouse_note = plan.WarehouseNote,
            lake = plan.Lake,
            pipelines = plan.Pipelines.Select(p => new
            {
                pipeline = p.Name,
                connection = p.Connection,
                connection_type = p.ConnectionType,
                mode = p.Mode,
                query = p.Query,
                cursor = p.Cursor,
                error = p.Error,
                streams = p.Streams.Select(s => new
                {
                    stream = s.Name,
                    reads = s.Reads,
                    files = s.Files,
                    target = s.Target,
                    primary_key = s.PrimaryKey,
                    watermark = s.Watermark,
                    starts_from = s.StartsFrom,
                    lake_folder = s.LakeFolder,
                    note = s.Note,
                }),
            }),
        };
        output.WriteLine(JsonSerializer.Serialize(document, JsonOutput.Options));
    }

    /// <summary>A DuckDB warehouse's file as the user would type it; other warehouses as they are.</summary>
    private static string Shown(string warehouse) =>
        warehouse.StartsWith("duckdb:", StringComparison.Ordinal) ? "duckdb:" + Display(warehouse["duckdb:".Length..]) : warehouse;

    // A lake on S3 is shown as its URL (without the trailing '/', which the lines add).
    private static string Display(string path) => path.StartsWith("s3://", StringComparison.Ordinal) ? path.TrimEnd('/') : ProjectLoader.Display(path);
}
