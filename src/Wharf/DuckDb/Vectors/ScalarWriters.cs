using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Wharf.DuckDb.Vectors;

// Writers for numbers, text and blobs.

internal sealed unsafe class BooleanWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value) =>
        ((byte*)Data)[row] = Convert.ToBoolean(value, CultureInfo.InvariantCulture) ? (byte)1 : (byte)0;
}

internal sealed unsafe class IntegerWriter<T>(DuckDbColumnType type, string column) : VectorWriter(type, column)
    where T : unmanaged, IBinaryInteger<T>
{
    protected override void WriteValue(ulong row, object value) => ((T*)Data)[row] = value switch
    {
        T exact => exact,
        string text => T.Parse(text, CultureInfo.InvariantCulture),
        decimal d when d != decimal.Truncate(d) => throw new InvalidCastException($"{d} is not a whole number."),
        IConvertible convertible => T.CreateChecked(convertible.ToDecimal(CultureInfo.InvariantCulture)),
        _ => throw new InvalidCastException($"{value.GetType().Name} is not a number."),
    };

    public override void WriteFrom(ulong row, DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            WriteNull(row);
        }
        else if (reader.GetFieldType(ordinal) == typeof(T))
        {
            ((T*)Data)[row] = reader.GetFieldValue<T>(ordinal);
        }
        else
        {
            Write(row, reader.GetValue(ordinal));
        }
    }
}

internal sealed unsafe class FloatWriter<T>(DuckDbColumnType type, string column) : VectorWriter(type, column)
    where T : unmanaged, IFloatingPoint<T>
{
    protected override void WriteValue(ulong row, object value) => ((T*)Data)[row] = value switch
    {
        T exact => exact,
        string text => T.Parse(text, CultureInfo.InvariantCulture),
        float f => T.CreateChecked(f),
        double d => T.CreateChecked(d),
        IConvertible convertible => T.CreateChecked(convertible.ToDouble(CultureInfo.InvariantCulture)),
        _ => throw new InvalidCastException($"{value.GetType().Name} is not a number."),
    };
}

/// <summary>
/// Writes DECIMAL(w,s) as its unscaled integer. Text is parsed digit by digit (exact at any width,
/// beyond .NET's decimal); a value that would need rounding or more digits is rejected.
/// </summary>
internal sealed unsafe class DecimalWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value)
    {
        var unscaled = value is string text
            ? ParseUnscaled(text, Type.Scale)
            : ParseUnscaled(Convert.ToDecimal(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture), Type.Scale);
        if (Int128.Abs(unscaled) >= Pow10(Type.Width))
        {
            throw new OverflowException($"{value} does not fit in {Type.SqlName}.");
        }

        switch (Type.InternalType)
        {
            case DuckDbType.SmallInt: ((short*)Data)[row] = (short)unscaled; break;
            case DuckDbType.Integer: ((int*)Data)[row] = (int)unscaled; break;
            case DuckDbType.BigInt: ((long*)Data)[row] = (long)unscaled; break;
            default: ((Int128*)Data)[row] = unscaled; break;
        }
    }

    /// <summary>"-12.340" at scale 2 → -1234; "1.234" at scale 2 is an error, never rounded.</summary>
    internal static Int128 ParseUnscaled(string text, int scale)
    {
        var span = text.AsSpan().Trim();
        var negative = span.Length > 0 && span[0] == '-';
        if (span.Length > 0 && (span[0] == '-' || span[0] == '+'))
        {
            span = span[1..];
        }

        Int128 result = 0;
        var decimals = -1;
        var digits = 0;
        foreach (var c in span)
        {
            if (c == '.' && decimals < 0)
            {
                decimals = 0;
                continue;
            }

            if (c is < '0' or > '9')
            {
                throw new FormatException($"'{text}' is not a decimal number{(text.Contains("NaN", StringComparison.OrdinalIgnoreCase) || text.Contains("inf", StringComparison.OrdinalIgnoreCase) ? " (NaN and infinity have no DECIMAL form)" : "")}.");
            }

            if (decimals >= 0 && ++decimals > scale)
            {
                if (c != '0')
                {
                    throw new InvalidCastException($"{text} has more than {scale} decimal places.");
                }

                continue;
            }

            if (++digits > 38)
            {
                throw new OverflowException($"{text} has more than 38 digits.");
            }

            result = (result * 10) + (c - '0');
        }

        if (digits == 0)
        {
            throw new FormatException($"'{text}' is not a decimal number.");
        }

        result *= Pow10(scale - Math.Max(decimals, 0));
        return negative ? -result : result;
    }

    private static Int128 Pow10(int exponent)
    {
        Int128 result = 1;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }

        return result;
    }
}

/// <summary>VARCHAR from any value's invariant text; BLOB from bytes. DuckDB copies the bytes.</summary>
internal sealed unsafe class StringWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value)
    {
        switch (value)
        {
            case string text:
                WriteText(row, text);
                break;
            case byte[] raw:
                WriteBytes(row, raw);
                break;
            case ReadOnlyMemory<byte> memory:
                WriteBytes(row, memory.Span);
                break;
            case IFormattable formattable:
                WriteText(row, formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                WriteText(row, value.ToString() ?? "");
                break;
        }
    }

    public override void WriteFrom(ulong row, DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            WriteNull(row);
        }
        else if (reader.GetFieldType(ordinal) == typeof(string))
        {
            WriteText(row, reader.GetString(ordinal));
        }
        else
        {
            Write(row, reader.GetValue(ordinal));
        }
    }

    /// <summary>Encodes straight into a stack or pooled buffer: no per-value byte[]. DuckDB copies the bytes.</summary>
    private void WriteText(ulong row, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = max <= 512 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        WriteBytes(row, buffer[..length]);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private void WriteBytes(ulong row, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
        {
            Native.NativeMethods.duckdb_vector_assign_string_element_len(Vector, row, p, (ulong)bytes.Length);
        }
    }
}
