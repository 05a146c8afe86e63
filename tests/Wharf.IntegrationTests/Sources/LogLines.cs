using Microsoft.Extensions.Logging;

namespace Wharf.IntegrationTests.Sources;

/// <summary>A logger that keeps each line it is given, with its level, for tests that check what a run said.</summary>
public sealed class LogLines : ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Text)> lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. lines];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lines.Enqueue((logLevel, formatter(state, exception)));
    }
}
