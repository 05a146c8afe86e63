using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wharf.Runs;
using Wharf.Tests.Cli;

namespace Wharf.Tests.Pipelines;

/// <summary>Each run's log lines in <c>.wharf/logs/&lt;run id&gt;.log</c>: written by <c>wharf run</c>, bounded, and read back only by a run id.</summary>
public sealed class RunLogFilesTests : IDisposable
{
    private readonly TempProject project = new();

    public void Dispose() => project.Dispose();

    [Fact]
    public async Task Run_KeepsItsLines_UnderItsRunId()
    {
        project.Write("data/o.csv", "id,amount\n1,10\n2,20\n").WithPipelines("""
              orders:
                source: local
                files: "o.csv"
            """);

        (await project.RunAsync("run")).ExitCode.ShouldBe(0);

        var runId = (string)project.Scalar("select run_id from _wharf.runs")!;
        var lines = RunLogFiles.Read(project.Root, runId);
        lines.ShouldNotBeNull();
        lines.ShouldContain($"info  Run {runId}: orders/orders reading o.csv");
        lines.ShouldContain($"info  Run {runId}: orders loaded 2 rows into main.orders");
        Directory.GetFiles(RunLogFiles.Folder(project.Root)).ShouldBe([Path.Combine(RunLogFiles.Folder(project.Root), runId + ".log")]);
    }

    [Theory]
    [InlineData("../../wharf")]
    [InlineData("20261204T101500123Z-3f9a2c/../../../wharf")]
    [InlineData("20261204T101500123Z-3f9a2c")]
    public void Read_AnIdOfAnotherShapeOrWithoutAFile_IsNull(string runId)
    {
        File.WriteAllText(Path.Combine(project.Root, "wharf.log"), "not a run's log");

        RunLogFiles.Read(project.Root, runId).ShouldBeNull();
    }

    [Fact]
    public void Begin_KeepsOnlyTheNewestFiles()
    {
        var folder = Directory.CreateDirectory(RunLogFiles.Folder(project.Root)).FullName;
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, RunLogFiles.KeptFiles).Select(i => RunId.New(start.AddMinutes(i))).ToList();
        foreach (var id in ids)
        {
            File.WriteAllText(Path.Combine(folder, id + ".log"), id);
        }

        var logs = new RunLogFiles(project.Root, NullLogger.Instance, new FixedTime(start.AddDays(1)));
        var newest = RunId.New(start.AddDays(1));
        using (logs.Begin(newest))
        {
            logs.LogInformation("hello");
        }

        var kept = Directory.GetFiles(folder).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        kept.Count.ShouldBe(RunLogFiles.KeptFiles);
        kept[0].ShouldBe(ids[1], "the oldest file went");
        kept[^1].ShouldBe(newest);
        RunLogFiles.Read(project.Root, newest).ShouldBe("2026-01-02 00:00:00.000 info  hello\n");
    }

    [Fact]
    public void AFile_StopsAtItsCap_AndSaysSo_WhileTheConsoleGetsEveryLine()
    {
        var console = new CountingLogger();
        var logs = new RunLogFiles(project.Root, console, TimeProvider.System);
        var id = RunId.New(DateTimeOffset.UtcNow);
        using (logs.Begin(id))
        {
            for (var i = 0; i < 20_000; i++)
            {
                logs.LogWarning("line {Number} {Padding}", i, new string('x', 80));
            }
        }

        console.Lines.ShouldBe(20_000);
        var text = RunLogFiles.Read(project.Root, id)!;
        text.Length.ShouldBeLessThan((int)RunLogFiles.MaxBytes + 200);
        text.ShouldContain("warn  line 0 x");
        text.ShouldNotContain("line 19999");
        text.TrimEnd().ShouldEndWith("not kept (the file reached 1 MiB)");
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class CountingLogger : ILogger
    {
        public int Lines { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Lines++;
    }
}
