namespace Wharf.DuckDb.Vectors;

// The date and time family. DuckDB counts from the Unix epoch; ±infinity map to .NET's
// MinValue/MaxValue, as Npgsql does.

internal sealed unsafe class DateReader(DuckDbColumnType type) : VectorReader<DateOnly>(type)
{
    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Days since 1970-01-01 as stored, ±<see cref="int.MaxValue"/> for infinity.</summary>
    public DuckDbDate ReadRaw(ulong row) => new(((int*)Data)[row]);

    public override DateOnly Read(ulong row)
    {
        var days = ((int*)Data)[row];
        return days switch
        {
            int.MaxValue => DateOnly.MaxValue,
            -int.MaxValue => DateOnly.MinValue,
            _ => DateOnly.FromDayNumber(EpochDayNumber + days),
        };
    }
}

internal sealed unsafe class TimeReader(DuckDbColumnType type) : VectorReader<TimeOnly>(type)
{
    public override TimeOnly Read(ulong row) => new(Math.Min(((long*)Data)[row] * 10, TimeOnly.MaxValue.Ticks));
}

/// <summary>TIMETZ packs microseconds (upper 40 bits) and an inverted offset (lower 24 bits).</summary>
internal sealed unsafe class TimeTzReader(DuckDbColumnType type) : VectorReader<DateTimeOffset>(type)
{
    private const int MaxOffsetSeconds = (16 * 60 * 60) - 1;

    // Npgsql's convention for a time with a zone: the time on 0001-01-02, so any offset fits.
    private static readonly DateTime BaseDate = new(1, 1, 2);

    public override DateTimeOffset Read(ulong row)
    {
        var bits = ((ulong*)Data)[row];
        var micros = (long)(bits >> 24);
        var offsetSeconds = MaxOffsetSeconds - (int)(bits & 0xFFFFFF);
        return new DateTimeOffset(BaseDate.AddTicks(micros * 10), TimeSpan.FromSeconds(offsetSeconds));
    }
}

/// <summary>TIMESTAMP (any precision) as an unspecified <see cref="DateTime"/>; TIMESTAMPTZ as UTC.</summary>
internal sealed unsafe class TimestampReader(DuckDbColumnType type) : VectorReader<DateTime>(type)
{
    private readonly DateTimeKind kind = type.Id == DuckDbType.TimestampTz ? DateTimeKind.Utc : DateTimeKind.Unspecified;

    /// <summary>Microseconds since 1970-01-01 whatever the stored precision, ±<see cref="long.MaxValue"/> for infinity.</summary>
    public DuckDbTimestamp ReadRaw(ulong row)
    {
        var raw = ((long*)Data)[row];
        return raw is long.MaxValue or -long.MaxValue
            ? new DuckDbTimestamp(raw)
            : new DuckDbTimestamp(Type.Id switch
            {
                DuckDbType.TimestampS => raw * 1_000_000,
                DuckDbType.TimestampMs => raw * 1_000,
                DuckDbType.TimestampNs => raw / 1_000,
                _ => raw,
            });
    }

    public override DateTime Read(ulong row)
    {
        var raw = ((long*)Data)[row];
        if (raw == long.MaxValue)
        {
            return DateTime.SpecifyKind(DateTime.MaxValue, kind);
        }

        if (raw == -long.MaxValue)
        {
            return DateTime.SpecifyKind(DateTime.MinValue, kind);
        }

        var ticks = Type.Id switch
        {
            DuckDbType.TimestampS => raw * TimeSpan.TicksPerSecond,
            DuckDbType.TimestampMs => raw * TimeSpan.TicksPerMillisecond,
            DuckDbType.TimestampNs => raw / 100,
            _ => raw * 10,
        };
        return new DateTime(DateTime.UnixEpoch.Ticks + ticks, kind);
    }
}

/// <summary>UUIDs are stored as a HUGEINT with the top bit flipped, so they sort as text does.</summary>
internal sealed unsafe class UuidReader(DuckDbColumnType type) : VectorReader<Guid>(type)
{
    public override Guid Read(ulong row)
    {
        var value = ((UInt128*)Data)[row] ^ (UInt128.One << 127);
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }
}
