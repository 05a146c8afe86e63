using Wharf.DuckDb.Native;

namespace Wharf.DuckDb.Vectors;

/// <summary>
/// Reads the values of one column from a DuckDB vector. Bound to a new vector for every chunk;
/// one small subclass per type family.
/// </summary>
internal abstract unsafe class VectorReader(DuckDbColumnType type)
{
    private ulong* validity;

    public DuckDbColumnType Type { get; } = type;

    /// <summary>The .NET type <see cref="GetValue"/> returns.</summary>
    public abstract Type ClrType { get; }

    protected void* Data { get; private set; }

    public void Bind(IntPtr vector)
    {
        Data = (void*)NativeMethods.duckdb_vector_get_data(vector);
        validity = (ulong*)NativeMethods.duckdb_vector_get_validity(vector);
        BindChildren(vector);
    }

    protected virtual void BindChildren(IntPtr vector)
    {
    }

    public bool IsValid(ulong row) => validity == null || (validity[row >> 6] & (1UL << (int)(row & 63))) != 0;

    public abstract object GetValue(ulong row);

    /// <summary>A value that may be NULL, as <see langword="null"/>; used inside lists and structs.</summary>
    public object? GetValueOrNull(ulong row) => IsValid(row) ? GetValue(row) : null;

    public static VectorReader Create(DuckDbColumnType type) => type.Id switch
    {
        DuckDbType.Boolean => new BooleanReader(type),
        DuckDbType.TinyInt => new PrimitiveReader<sbyte>(type),
        DuckDbType.SmallInt => new PrimitiveReader<short>(type),
        DuckDbType.Integer => new PrimitiveReader<int>(type),
        DuckDbType.BigInt => new PrimitiveReader<long>(type),
        DuckDbType.UTinyInt => new PrimitiveReader<byte>(type),
        DuckDbType.USmallInt => new PrimitiveReader<ushort>(type),
        DuckDbType.UInteger => new PrimitiveReader<uint>(type),
        DuckDbType.UBigInt => new PrimitiveReader<ulong>(type),
        DuckDbType.HugeInt => new PrimitiveReader<Int128>(type),
        DuckDbType.UHugeInt => new PrimitiveReader<UInt128>(type),
        DuckDbType.Float => new PrimitiveReader<float>(type),
        DuckDbType.Double => new PrimitiveReader<double>(type),
        DuckDbType.Decimal => new DecimalReader(type),
        DuckDbType.VarChar => new StringReader(type),
        DuckDbType.Blob => new BlobReader(type),
        DuckDbType.Date => new DateReader(type),
        DuckDbType.Time => new TimeReader(type),
        DuckDbType.TimeTz => new TimeTzReader(type),
        DuckDbType.Timestamp or DuckDbType.TimestampS or DuckDbType.TimestampMs or DuckDbType.TimestampNs
            or DuckDbType.TimestampTz => new TimestampReader(type),
        DuckDbType.Interval => new PrimitiveReader<DuckDbInterval>(type),
        DuckDbType.Uuid => new UuidReader(type),
        DuckDbType.Enum => new EnumReader(type),
        DuckDbType.List or DuckDbType.Array => new ListReader(type),
        DuckDbType.Map => new MapReader(type),
        DuckDbType.Struct => new StructReader(type),
        _ => new UnsupportedReader(type),
    };
}

/// <summary>A reader whose values come out as <typeparamref name="T"/> without boxing.</summary>
internal abstract class VectorReader<T>(DuckDbColumnType type) : VectorReader(type)
{
    public override Type ClrType => typeof(T);

    public abstract T Read(ulong row);

    public override object GetValue(ulong row) => Read(row)!;
}
