// Wharf from C#, two ways:
//   dotnet run --project examples/library -- run PROJECT_FOLDER [PIPELINE...]   a wharf.yml project
//   dotnet run --project examples/library -- csv FILE.csv FOLDER                a pipeline built in code
using Microsoft.Extensions.Logging;
using Wharf;
using Wharf.Runs;

using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

try
{
    var project = args switch
    {
        ["run", var folder, ..] => await WharfProject.LoadAsync(folder, cancellationToken: cancel.Token),
        ["csv", var file, var folder] => WharfProject.Create(folder)
            .Warehouse("duckdb:warehouse.duckdb")
            .Connection("files", "files", new Dictionary<string, object?> { ["path"] = Path.GetDirectoryName(Path.GetFullPath(file)) })
            .Pipeline(Path.GetFileNameWithoutExtension(file), "files", new Dictionary<string, object?>
            {
                ["files"] = Path.GetFileName(file),
                ["schema"] = "raw",
                ["mode"] = "replace",
            })
            .Build(),
        _ => null,
    };
    if (project is null)
    {
        Console.Error.WriteLine("usage: run PROJECT_FOLDER [PIPELINE...] | csv FILE.csv FOLDER");
        return 2;
    }

    using var session = await project.OpenAsync(new WharfOptions { LoggerFactory = logging }, cancel.Token);
    var progress = new Progress<RunEvent>(e =>
    {
        if (e is StreamFinished finished)
        {
            Console.WriteLine($"{finished.Record.Pipeline} › {finished.Record.Target}: {finished.Record.Status}, {finished.Record.RowsLoaded:N0} rows");
        }
    });
    var pipelines = args is ["run", _, .. var names] ? names : [];
    var summary = await session.RunAsync(pipelines, progress, cancel.Token);

    foreach (var stream in summary.Streams)
    {
        Console.WriteLine($"{stream.Target,-30} {stream.Status,-10} {stream.RowsExtracted,10:N0} extracted {stream.RowsLoaded,10:N0} loaded {stream.Error}");
    }

    using var reader = session.Query("SELECT count(*) FROM _wharf.runs");
    reader.Read();
    Console.WriteLine($"{(summary.Succeeded ? "Succeeded" : "Failed")} in {summary.Duration.TotalSeconds:F2}s; the audit holds {reader.GetInt64(0)} run record(s).");
    return summary.Succeeded ? 0 : 1;
}
catch (WharfException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
