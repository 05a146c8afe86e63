using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Wharf.Runs;

/// <summary>
/// A logger that also keeps each run's lines (information and above) in
/// <c>.wharf/logs/&lt;run id&gt;.log</c> of the project, so the dashboard's run page can show them
/// after the console scrolled away, for runs started by <c>wharf run</c> as much as by
/// <c>wharf serve</c>. One run at a time (a runner runs its pipelines one after another); the
/// lines of its parallel streams are written under a lock. Messages are already free of secrets
/// (Wharf masks them where they are made). Bounded: a file stops at <see cref="MaxBytes"/>, and
/// only the newest <see cref="KeptFiles"/> files are kept.
/// </summary>
internal sealed partial class RunLogFiles(string projectDirectory, ILogger inner, TimeProvider time) : ILogger
{
    public const long MaxBytes = 1 << 20;
    public const int KeptFiles = 1000;
    private readonly Lock gate = new();

    // Owned by the scope Begin returns, which closes it: the logger itself outlives the runs.
    private Sink? current;

    /// <summary>Where the files of the project at <paramref name="projectDirectory"/> are.</summary>
    public static string Folder(string projectDirectory) => Path.Combine(projectDirectory, ".wharf", "logs");

    /// <summary>The lines kept for <paramref name="runId"/>, or null when there are none (an id of another shape is never a path).</summary>
    public static string? Read(string projectDirectory, string runId)
    {
        var path = Path.Combine(Folder(projectDirectory), runId + ".log");
        if (!RunIdShape().IsMatch(runId) || !File.Exists(path))
        {
            return null;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>From here until the result is disposed, lines go to the file of <paramref name="runId"/> too.</summary>
    public IDisposable Begin(string runId)
    {
        var folder = Folder(projectDirectory);
        try
        {
            Directory.CreateDirectory(folder);
            Prune(folder);
            var stream = new FileStream(Path.Combine(folder, runId + ".log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            lock (gate)
            {
                current = new Sink(new StreamWriter(stream) { AutoFlush = true }) { Written = stream.Length };
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only project folder loses the copy of the lines, never the run.
            NotKept(inner, folder, ex.Message);
        }

        return new End(this);
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (inner.IsEnabled(logLevel))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }

        if (logLevel < LogLevel.Information || logLevel == LogLevel.None)
        {
            return;
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyy-MM-dd HH:mm:ss.fff} {Level(logLevel)} {formatter(state, exception)}");
        lock (gate)
        {
            if (current is null || current.Written >= MaxBytes)
            {
                return;
            }

            current.Written += line.Length + 1;
            current.Writer.WriteLine(current.Written >= MaxBytes ? "… the rest of this run's lines are not kept (the file reached 1 MiB)" : line);
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Information => "info ",
        LogLevel.Warning => "warn ",
        LogLevel.Error => "error",
        _ => "crit ",
    };

    /// <summary>Keeps the newest files (run ids sort by start time) so that the folder cannot grow without end.</summary>
    private static void Prune(string folder)
    {
        var files = Directory.GetFiles(folder, "*.log");
        if (files.Length < KeptFiles)
        {
            return;
        }

        foreach (var old in files.Order(StringComparer.Ordinal).Take(files.Length - KeptFiles + 1))
        {
            File.Delete(old);
        }
    }

    [LoggerMessage(1006, LogLevel.Warning, "The run's log lines cannot be kept in {Folder}: {Reason}")]
    private static partial void NotKept(ILogger logger, string folder, string reason);

    [GeneratedRegex("^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{6}$")]
    private static partial Regex RunIdShape();

    private sealed class Sink(StreamWriter writer)
    {
        public StreamWriter Writer => writer;

        public long Written { get; set; }
    }

    private sealed class End(RunLogFiles owner) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.gate)
            {
                owner.current?.Writer.Dispose();
                owner.current = null;
            }
        }
    }
}
