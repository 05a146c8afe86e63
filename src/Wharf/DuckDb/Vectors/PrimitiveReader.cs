namespace Wharf.DuckDb.Vectors;

/// <summary>Fixed-width values stored exactly as .NET lays them out (integers, floats, INTERVAL).</summary>
internal sealed unsafe class PrimitiveReader<T>(DuckDbColumnType type) : VectorReader<T>(type)
    where T : unmanaged
{
    public override T Read(ulong row) => ((T*)Data)[row];
}

internal sealed unsafe class BooleanReader(DuckDbColumnType type) : VectorReader<bool>(type)
{
    public override bool Read(ulong row) => ((byte*)Data)[row] != 0;
}

/// <summary>Types Wharf does not read as .NET values (UNION, BIT, BIGNUM): cast them to VARCHAR.</summary>
internal sealed class UnsupportedReader(DuckDbColumnType type) : VectorReader(type)
{
    public override Type ClrType => typeof(object);

    public override object GetValue(ulong row) => throw new NotSupportedException(
        $"Wharf cannot read DuckDB {Type.SqlName} values directly; cast the column to VARCHAR in the query.");
}
