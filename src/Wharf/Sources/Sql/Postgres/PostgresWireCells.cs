using System.Buffers.Binary;
using System.Globalization;
using DuckDB.NET.Native;
using Wharf.DuckDb;
using Wharf.Postgres;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>Each value of a <see cref="PostgresWire"/> form, decoded from its bytes straight into a DuckDB staging column.</summary>
internal static class PostgresWireCells
{
    /// <summary>Writes one value into the current row of <paramref name="rows"/>.</summary>
    /// <exception cref="InvalidCastException">The bytes are not a value of the column's form, or a numeric does not fit its DECIMAL.</exception>
    /// <exception cref="OverflowException">A date or timestamp beyond what the stage holds.</exception>
    /// <exception cref="FormatException">A numeric's text is no decimal number.</exception>
    public static void Set(DuckDbChunkRows rows, int column, PostgresColumnPlan plan, ReadOnlySpan<byte> value)
    {
        if (FixedWidth(plan.Wire) is { } width && value.Length != width)
        {
            throw new InvalidCastException($"a {plan.Wire} value is {width} bytes, but the server sent {value.Length}.");
        }

        switch (plan.Wire)
        {
            case PostgresWire.Boolean: rows.Set(column, value[0] == 0 ? (byte)0 : (byte)1); break;
            case PostgresWire.Int16: rows.Set(column, BinaryPrimitives.ReadInt16BigEndian(value)); break;
            case PostgresWire.Int32: rows.Set(column, BinaryPrimitives.ReadInt32BigEndian(value)); break;
            case PostgresWire.Int64: rows.Set(column, BinaryPrimitives.ReadInt64BigEndian(value)); break;
            case PostgresWire.UInt32: rows.Set(column, BinaryPrimitives.ReadUInt32BigEndian(value)); break;
            case PostgresWire.Float32: rows.Set(column, BinaryPrimitives.ReadSingleBigEndian(value)); break;
            case PostgresWire.Float64: rows.Set(column, BinaryPrimitives.ReadDoubleBigEndian(value)); break;
            case PostgresWire.Text:
                if (plan.Decimal is var (precision, scale))
                {
                    ExactDecimal.Check(value, precision, scale);
                }

                rows.SetBytes(column, value);
                break;
            case PostgresWire.Bytes: rows.SetBytes(column, value); break;
            case PostgresWire.Date: rows.Set(column, PostgresTime.ToEpochDays(BinaryPrimitives.ReadInt32BigEndian(value))); break;
            case PostgresWire.Timestamp: rows.Set(column, PostgresTime.ToEpochMicros(BinaryPrimitives.ReadInt64BigEndian(value))); break;

            // DuckDB's TIME is microseconds of the day too (24:00:00 included, as in PostgreSQL).
            case PostgresWire.Time: rows.Set(column, BinaryPrimitives.ReadInt64BigEndian(value)); break;
            case PostgresWire.TimeTz:
                // The zone is in seconds west of UTC; DuckDB's offset is east of it.
                var offset = -BinaryPrimitives.ReadInt32BigEndian(value[8..]);
                rows.Set(column, NativeMethods.DateTimeHelpers.DuckDBCreateTimeTz(BinaryPrimitives.ReadInt64BigEndian(value), offset).Bits);
                break;
            case PostgresWire.Interval:
                // Months, days and microseconds stay apart (a month has no fixed length); DuckDB parses this text exactly.
                Span<byte> text = stackalloc byte[80];
                System.Text.Unicode.Utf8.TryWrite(text, CultureInfo.InvariantCulture,
                    $"{BinaryPrimitives.ReadInt32BigEndian(value[12..])} months {BinaryPrimitives.ReadInt32BigEndian(value[8..])} days {BinaryPrimitives.ReadInt64BigEndian(value)} microseconds",
                    out var written);
                rows.SetBytes(column, text[..written]);
                break;
            case PostgresWire.Uuid:
                // DuckDB's UUID: the 128-bit big-endian value with its top bit flipped, so that it sorts as the text does.
                rows.Set(column, new Int128(BinaryPrimitives.ReadUInt64BigEndian(value) ^ (1UL << 63), BinaryPrimitives.ReadUInt64BigEndian(value[8..])));
                break;
            default: throw new InvalidOperationException($"{plan.Wire} has no decoder.");
        }
    }

    private static int? FixedWidth(PostgresWire wire) => wire switch
    {
        PostgresWire.Boolean => 1,
        PostgresWire.Int16 => 2,
        PostgresWire.Int32 or PostgresWire.UInt32 or PostgresWire.Float32 or PostgresWire.Date => 4,
        PostgresWire.Int64 or PostgresWire.Float64 or PostgresWire.Timestamp or PostgresWire.Time => 8,
        PostgresWire.TimeTz => 12,
        PostgresWire.Interval or PostgresWire.Uuid => 16,
        _ => null,
    };
}
