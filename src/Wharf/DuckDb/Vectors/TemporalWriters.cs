using System.Globalization;

namespace Wharf.DuckDb.Vectors;

// Writers for dates, times, timestamps, intervals and UUIDs (the inverse of TemporalReaders).

internal sealed unsafe class DateWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    protected override void WriteValue(ulong row, object value) => ((int*)Data)[row] = value switch
    {
        // As Npgsql maps them: MaxValue/MinValue stand for ±infinity.
        DateOnly d when d == DateOnly.MaxValue => int.MaxValue,
        DateOnly d when d == DateOnly.MinValue => -int.MaxValue,
        DateOnly d => d.DayNumber - EpochDayNumber,
        DuckDbDate raw => raw.Days,
        DateTime dt => DateOnly.FromDateTime(dt).DayNumber - EpochDayNumber,
        string text => DateOnly.Parse(text, CultureInfo.InvariantCulture).DayNumber - EpochDayNumber,
        _ => throw new InvalidCastException($"{value.GetType().Name} is not a date."),
    };
}

internal sealed unsafe class TimeWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value) => ((long*)Data)[row] = value switch
    {
        TimeOnly t => t.Ticks / 10,
        TimeSpan ts => ts.Ticks / 10,
        string text => TimeOnly.Parse(text, CultureInfo.InvariantCulture).Ticks / 10,
        _ => throw new InvalidCastException($"{value.GetType().Name} is not a time of day."),
    };
}

/// <summary>Microseconds since the Unix epoch; a <see cref="DateTimeOffset"/> is converted to UTC first.</summary>
internal sealed unsafe class TimestampWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value)
    {
        var ticks = value switch
        {
            DuckDbTimestamp raw => raw.Microseconds,
            DateTime dt when dt == DateTime.MaxValue => long.MaxValue,
            DateTime dt when dt == DateTime.MinValue => -long.MaxValue,
            DateTime dt => (dt.Ticks - DateTime.UnixEpoch.Ticks) / 10,
            DateTimeOffset dto => (dto.UtcTicks - DateTime.UnixEpoch.Ticks) / 10,
            string text => (DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcTicks - DateTime.UnixEpoch.Ticks) / 10,
            _ => throw new InvalidCastException($"{value.GetType().Name} is not a timestamp."),
        };
        ((long*)Data)[row] = ticks;
    }
}

/// <summary>TIMETZ: microseconds in the upper 40 bits, the offset (inverted, in seconds) in the lower 24.</summary>
internal sealed unsafe class TimeTzWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    private const int MaxOffsetSeconds = (16 * 60 * 60) - 1;

    protected override void WriteValue(ulong row, object value)
    {
        var time = value is DateTimeOffset dto ? dto : throw new InvalidCastException($"{value.GetType().Name} is not a time with a time zone.");
        var micros = (ulong)(time.TimeOfDay.Ticks / 10);
        var offset = (ulong)(MaxOffsetSeconds - (int)time.Offset.TotalSeconds);
        ((ulong*)Data)[row] = (micros << 24) | offset;
    }
}

internal sealed unsafe class IntervalWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value) => ((DuckDbInterval*)Data)[row] = value switch
    {
        DuckDbInterval interval => interval,
        TimeSpan ts => new DuckDbInterval(0, 0, ts.Ticks / 10),
        _ => throw new InvalidCastException($"{value.GetType().Name} is not an interval."),
    };
}

internal sealed unsafe class UuidWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value)
    {
        var guid = value switch
        {
            Guid g => g,
            string text => Guid.Parse(text),
            _ => throw new InvalidCastException($"{value.GetType().Name} is not a UUID."),
        };
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        ((UInt128*)Data)[row] = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes) ^ (UInt128.One << 127);
    }
}
