using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Wharf.Cli.Rendering;

/// <summary>
/// <c>--log-format json</c> (or <c>WHARF_LOG_FORMAT=json</c>): one JSON object per log line on
/// standard error, for log shippers: <c>time</c>, <c>level</c>, <c>run_id</c>, <c>pipeline</c>,
/// <c>stream</c>, <c>stage</c>, <c>message</c>, <c>exception</c> (its type and message; the
/// stack only with <c>--verbose</c>). Messages are the library's, which never hold secrets.
/// </summary>
internal sealed class JsonLineLogger(LogLevel minimum, bool stacks) : ILoggerProvider, ILogger
{
    private static readonly object Lock = new();

    /// <summary>The stage each of the runner's events is about.</summary>
    private static readonly Dictionary<int, string> Stages = new()
    {
        [1001] = "extract",
        [1002] = "load",
        [1003] = "failed",
        [1004] = "audit",
        [1005] = "plan",
    };

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        string? Value(string name) => values.FirstOrDefault(v => v.Key == name).Value?.ToString();
        var line = JsonSerializer.Serialize(new
        {
            time = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            level = logLevel.ToString().ToLowerInvariant(),
            run_id = Value("RunId"),
            pipeline = Value("Pipeline"),
            stream = Value("Stream"),
            stage = Stages.GetValueOrDefault(eventId.Id),
            message = formatter(state, exception),
            exception = exception is null ? null : stacks ? exception.ToString() : $"{exception.GetType().FullName}: {exception.Message}",
        });
        lock (Lock)
        {
            Console.Error.WriteLine(line);
        }
    }

    public void Dispose()
    {
    }
}
