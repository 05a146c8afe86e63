using System.Globalization;
using Spectre.Console;
using Wharf.Runs;

namespace Wharf.Cli.Rendering;

/// <summary>
/// Live progress of a run: a line per stream with rows and rows/s. On a terminal it redraws in
/// place; when output is redirected (CI, logs) it prints one plain line per step.
/// </summary>
internal static class RunProgress
{
    public static async Task<RunSummary> ShowAsync(IAnsiConsole console, Func<IProgress<RunEvent>, Task<RunSummary>> run)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            return await run(new PlainProgress(console));
        }

        RunSummary? summary = null;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context => summary = await run(new LiveProgress(context)));
        return summary!;
    }

    /// <summary>"42% of 632 MB · 118 MB/s" when the input's size is known, else "42%".</summary>
    private static string Throughput(long? bytes, StreamProgressed p)
    {
        var percent = p.Percentage.ToString("F0", CultureInfo.InvariantCulture) + "%";
        if (bytes is not { } total || p.Elapsed.TotalSeconds < 0.05)
        {
            return percent;
        }

        var megabytes = total / 1_000_000.0;
        var rate = megabytes * p.Percentage / 100 / p.Elapsed.TotalSeconds;
        return $"{percent} of {megabytes.ToString("N0", CultureInfo.InvariantCulture)} MB · {rate.ToString("N0", CultureInfo.InvariantCulture)} MB/s";
    }

    internal static string Rate(long rows, TimeSpan elapsed) =>
        elapsed.TotalSeconds > 0.05 ? (rows / elapsed.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture) : "–";

    /// <summary>Reports synchronously, so events are drawn in the order they happen.</summary>
    private sealed class LiveProgress(ProgressContext context) : IDrawsPercentages
    {
        private readonly Dictionary<(string, string), ProgressTask> tasks = [];
        private readonly Dictionary<(string, string), long?> sizes = [];
        private readonly Lock gate = new();

        public void Report(RunEvent value)
        {
            lock (gate)
            {
                var key = (value.Pipeline, value.Stream);
                var name = Markup.Escape($"{value.Pipeline} › {value.Stream}");
                if (!tasks.TryGetValue(key, out var task))
                {
                    task = tasks[key] = context.AddTask(name, maxValue: 100);
                    task.IsIndeterminate = true;
                }

                switch (value)
                {
                    case StreamStarted started:
                        sizes[key] = started.Bytes;
                        task.Description = $"{name} [grey]{Markup.Escape(started.Description)}[/]";
                        break;
                    case StreamProgressed p when p.Percentage >= 0:
                        task.IsIndeterminate = false;
                        task.Value = Math.Min(99, p.Percentage);
                        task.Description = $"{name} [grey]{Throughput(sizes.GetValueOrDefault(key), p)}[/]";
                        break;
                    case StreamPhase phase:
                        task.Description = $"{name} [grey]{Markup.Escape(phase.Phase)}…[/]";
                        break;
                    case StreamFinished { Record: var record }:
                        task.IsIndeterminate = false;
                        task.Description = record.Status == RunStatus.Succeeded
                            ? $"{name} [green]{record.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture)} rows · {Rate(record.RowsLoaded, record.Duration)} rows/s[/]"
                            : $"{name} [red]failed[/]";
                        task.Value = 100;
                        task.StopTask();
                        break;
                }
            }
        }
    }

    private sealed class PlainProgress(IAnsiConsole console) : IProgress<RunEvent>
    {
        public void Report(RunEvent value)
        {
            var name = $"{value.Pipeline} › {value.Stream}";
            switch (value)
            {
                case StreamStarted started:
                    console.WriteLine($"{name}: reading {started.Description}");
                    break;
                case StreamPhase phase:
                    console.WriteLine($"{name}: {phase.Phase}");
                    break;
                case StreamFinished { Record: { Status: RunStatus.Succeeded } record }:
                    console.WriteLine($"{name}: {record.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture)} rows into {record.Target} " +
                        $"in {record.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)}s ({Rate(record.RowsLoaded, record.Duration)} rows/s)");
                    break;
                case StreamFinished { Record: var record }:
                    console.WriteLine($"{name}: failed");
                    break;
            }
        }
    }
}
