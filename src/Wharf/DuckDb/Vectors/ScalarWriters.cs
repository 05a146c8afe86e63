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

/// <summary>Scales a .NET decimal to the column's scale; rejects values that would be rounded.</summary>
internal sealed unsafe class DecimalWriter(DuckDbColumnType type, string column) : VectorWriter(type, column)
{
    protected override void WriteValue(ulong row, object value)
    {
        var number = value is string text
            ? decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : Convert.ToDecimal(value, CultureInfo.InvariantCulture);
        var scaled = number * Pow10(Type.Scale);
        if (scaled != decimal.Truncate(scaled))
        {
            throw new InvalidCastException($"{number} has more than {Type.Scale} decimal places.");
        }

        var unscaled = (Int128)decimal.Truncate(scaled);
        if (Int128.Abs(unscaled) >= Int128.Parse("1" + new string('0', Type.Width), CultureInfo.InvariantCulture))
        {
            throw new OverflowException($"{number} does not fit in {Type.SqlName}.");
        }

        switch (Type.InternalType)
        {
            case DuckDbType.SmallInt: ((short*)Data)[row] = (short)unscaled; break;
            case DuckDbType.Integer: ((int*)Data)[row] = (int)unscaled; break;
            case DuckDbType.BigInt: ((long*)Data)[row] = (long)unscaled; break;
            default: ((Int128*)Data)[row] = unscaled; break;
        }
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
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
        var bytes = value switch
        {
            byte[] raw => raw,
            ReadOnlyMemory<byte> memory => memory.ToArray(),
            string text => Encoding.UTF8.GetBytes(text),
            IFormattable formattable => Encoding.UTF8.GetBytes(formattable.ToString(null, CultureInfo.InvariantCulture)),
            _ => Encoding.UTF8.GetBytes(value.ToString() ?? ""),
        };
        fixed (byte* p = bytes)
        {
            Native.NativeMethods.duckdb_vector_assign_string_element_len(Vector, row, p, (ulong)bytes.Length);
        }
    }

    public override void WriteFrom(ulong row, DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            WriteNull(row);
            return;
        }

        if (reader.GetFieldType(ordinal) != typeof(string))
        {
            Write(row, reader.GetValue(ordinal));
            return;
        }

        // Encode straight into a pooled buffer: no per-row byte[] for the common case.
        var text = reader.GetString(ordinal);
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = max <= 512 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        fixed (byte* p = buffer)
        {
            Native.NativeMethods.duckdb_vector_assign_string_element_len(Vector, row, p, (ulong)length);
        }

        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
