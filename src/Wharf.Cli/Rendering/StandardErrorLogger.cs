using Microsoft.Extensions.Logging;

namespace Wharf.Cli.Rendering;

/// <summary>
/// Without <c>--verbose</c>: the library's warnings and errors, one line each on standard error,
/// as the CLI's own messages are (<c>warning: …</c>, <c>error: …</c>), without stack traces. A
/// warning (an audit row that could not be written) is never lost for want of a flag. A failed
/// stream is left out: the command that ran it prints its error once, after the summary.
/// </summary>
internal sealed class StandardErrorLogger : ILoggerProvider, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel) && eventId.Id != Wharf.Pipelines.LogMessages.StreamFailedId)
        {
            Console.Error.WriteLine($"{(logLevel == LogLevel.Warning ? "warning" : "error")}: {formatter(state, exception)}");
        }
    }

    public void Dispose()
    {
    }
}
