using System.Text;

namespace Wharf.DuckDb.Vectors;

/// <summary>
/// duckdb_string_t: 16 bytes. A length, then either the string itself (up to 12 bytes, inlined)
/// or a 4-byte prefix and a pointer.
/// </summary>
internal static unsafe class DuckDbString
{
    public static ReadOnlySpan<byte> Bytes(void* data, ulong row)
    {
        var entry = (byte*)data + (row * 16);
        var length = *(uint*)entry;
        return length <= 12
            ? new ReadOnlySpan<byte>(entry + 4, (int)length)
            : new ReadOnlySpan<byte>(*(byte**)(entry + 8), (int)length);
    }
}

internal sealed unsafe class StringReader(DuckDbColumnType type) : VectorReader<string>(type)
{
    public override string Read(ulong row) => Encoding.UTF8.GetString(DuckDbString.Bytes(Data, row));
}

internal sealed unsafe class BlobReader(DuckDbColumnType type) : VectorReader<byte[]>(type)
{
    public override byte[] Read(ulong row) => DuckDbString.Bytes(Data, row).ToArray();
}

internal sealed unsafe class EnumReader(DuckDbColumnType type) : VectorReader<string>(type)
{
    public override string Read(ulong row)
    {
        var index = Type.InternalType switch
        {
            DuckDbType.UTinyInt => ((byte*)Data)[row],
            DuckDbType.USmallInt => ((ushort*)Data)[row],
            _ => (int)((uint*)Data)[row],
        };
        return Type.EnumValues[index];
    }
}
