using Microsoft.Extensions.Logging;

namespace Wharf;

/// <summary>How a <see cref="WharfSession"/> runs.</summary>
public sealed record WharfOptions
{
    /// <summary>Where Wharf logs (warnings, errors, and debug detail of each step).</summary>
    /// <value>Default: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Ignore saved watermarks and snapshots: extract everything and rebuild the pipelines' tables.</summary>
    /// <value>Default: <see langword="false"/>.</value>
    public bool FullRefresh { get; init; }

    /// <summary>How long to wait when another run holds a pipeline (or another process the DuckDB file) instead of failing at once.</summary>
    /// <value>Default: <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan WaitForLock { get; init; }

    /// <summary>The clock runs are timed and recorded by.</summary>
    /// <value>Default: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
