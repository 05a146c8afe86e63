using System.Diagnostics.Metrics;

namespace Wharf.Sources;

/// <summary>
/// The bytes a stream's extract receives from its source, for the run record's <c>bytes_read</c>:
/// HTTP response bodies, message payloads, and what PostgreSQL and MySQL send over the wire.
/// A stream's extract counts into its own counter, which flows with it (an <see cref="AsyncLocal{T}"/>)
/// into the source's code and its client library's, so parallel streams never count each other's bytes.
/// Files sources are measured by their files' sizes instead.
/// </summary>
internal sealed class SourceBytes
{
    private static readonly AsyncLocal<SourceBytes?> Current = new();

    // Npgsql reports the bytes it reads from the server through System.Diagnostics.Metrics; the
    // measurement arrives on the reading call's own flow, so it lands in that extract's counter.
    private static readonly MeterListener NpgsqlBytes = ListenToNpgsql();

    private long total;

    /// <summary>Bytes counted so far.</summary>
    public long Total => Interlocked.Read(ref total);

    /// <summary>
    /// A new counter for everything that the calling async method (and what it awaits or starts)
    /// reads from now on; the method's caller keeps its own.
    /// </summary>
    public static SourceBytes Start()
    {
        _ = NpgsqlBytes;
        var counter = new SourceBytes();
        Current.Value = counter;
        return counter;
    }

    /// <summary>
    /// Counts nothing in the calling async method (and what it awaits or starts): work within an
    /// extract that reads from elsewhere, such as a chunk's load into the warehouse. Its caller still counts.
    /// </summary>
    public static void Pause() => Current.Value = null;

    /// <summary>Adds to the current extract's counter; nothing outside an extract.</summary>
    public static void Add(long bytes)
    {
        if (bytes > 0 && Current.Value is { } counter)
        {
            Interlocked.Add(ref counter.total, bytes);
        }
    }

    private static MeterListener ListenToNpgsql()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Npgsql" && instrument.Name.EndsWith("bytes_read", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, bytes, _, _) => Add(bytes));
        listener.SetMeasurementEventCallback<int>((_, bytes, _, _) => Add(bytes));
        listener.Start();
        return listener;
    }
}
