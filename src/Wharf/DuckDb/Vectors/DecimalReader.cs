namespace Wharf.DuckDb.Vectors;

/// <summary>
/// DECIMAL(w,s) is stored as an unscaled integer whose size depends on the width. .NET's decimal
/// holds 96 bits; wider values are an error that says how to get them (as text), never rounded.
/// </summary>
internal sealed unsafe class DecimalReader(DuckDbColumnType type) : VectorReader<decimal>(type)
{
    private static readonly Int128 MaxMantissa = (Int128.One << 96) - 1;

    public Int128 ReadUnscaled(ulong row) => Type.InternalType switch
    {
        DuckDbType.SmallInt => ((short*)Data)[row],
        DuckDbType.Integer => ((int*)Data)[row],
        DuckDbType.BigInt => ((long*)Data)[row],
        _ => ((Int128*)Data)[row],
    };

    public override decimal Read(ulong row) => ToDecimal(ReadUnscaled(row), Type.Scale, Type.SqlName);

    internal static decimal ToDecimal(Int128 unscaled, byte scale, string typeName)
    {
        var negative = unscaled < 0;
        var magnitude = negative ? -unscaled : unscaled;
        if (magnitude > MaxMantissa || scale > 28)
        {
            throw new OverflowException(
                $"A {typeName} value is too large for .NET's decimal; cast it to VARCHAR to read it exactly.");
        }

        var bits = (UInt128)magnitude;
        return new decimal((int)(uint)bits, (int)(uint)(bits >> 32), (int)(uint)(bits >> 64), negative, scale);
    }
}
