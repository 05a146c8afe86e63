using Wharf.DuckDb.Native;

namespace Wharf.DuckDb.Vectors;

// LIST, ARRAY, MAP and STRUCT: each binds its children to the child vectors of every chunk.

/// <summary>LIST and fixed-size ARRAY values as a <see cref="List{T}"/> of element values (NULL elements kept).</summary>
internal sealed unsafe class ListReader(DuckDbColumnType type) : VectorReader<List<object?>>(type)
{
    private readonly VectorReader element = Create(type.Element!);

    protected override void BindChildren(IntPtr vector) => element.Bind(Type.Id == DuckDbType.Array
        ? NativeMethods.duckdb_array_vector_get_child(vector)
        : NativeMethods.duckdb_list_vector_get_child(vector));

    public override List<object?> Read(ulong row)
    {
        ulong offset, length;
        if (Type.Id == DuckDbType.Array)
        {
            (offset, length) = (row * Type.ArraySize, Type.ArraySize);
        }
        else
        {
            var entry = (ulong*)Data + (row * 2);
            (offset, length) = (entry[0], entry[1]);
        }

        var values = new List<object?>((int)length);
        for (var i = offset; i < offset + length; i++)
        {
            values.Add(element.GetValueOrNull(i));
        }

        return values;
    }
}

/// <summary>MAP values as key/value pairs in stored order (keys need not be strings).</summary>
internal sealed unsafe class MapReader(DuckDbColumnType type) : VectorReader<List<KeyValuePair<object, object?>>>(type)
{
    private readonly VectorReader keys = Create(type.Element!.Fields[0].Type);
    private readonly VectorReader values = Create(type.Element!.Fields[1].Type);

    protected override void BindChildren(IntPtr vector)
    {
        var entries = NativeMethods.duckdb_list_vector_get_child(vector);
        keys.Bind(NativeMethods.duckdb_struct_vector_get_child(entries, 0));
        values.Bind(NativeMethods.duckdb_struct_vector_get_child(entries, 1));
    }

    public override List<KeyValuePair<object, object?>> Read(ulong row)
    {
        var entry = (ulong*)Data + (row * 2);
        var pairs = new List<KeyValuePair<object, object?>>((int)entry[1]);
        for (var i = entry[0]; i < entry[0] + entry[1]; i++)
        {
            pairs.Add(new(keys.GetValue(i), values.GetValueOrNull(i)));
        }

        return pairs;
    }
}

/// <summary>STRUCT values as an ordered name → value dictionary.</summary>
internal sealed class StructReader(DuckDbColumnType type) : VectorReader<Dictionary<string, object?>>(type)
{
    private readonly VectorReader[] fields = [.. type.Fields.Select(f => Create(f.Type))];

    protected override void BindChildren(IntPtr vector)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i].Bind(NativeMethods.duckdb_struct_vector_get_child(vector, (ulong)i));
        }
    }

    public override Dictionary<string, object?> Read(ulong row)
    {
        var value = new Dictionary<string, object?>(fields.Length);
        for (var i = 0; i < fields.Length; i++)
        {
            value[Type.Fields[i].Name] = fields[i].GetValueOrNull(row);
        }

        return value;
    }
}
