using System.Collections.Immutable;
using Wharf.DuckDb.Native;

namespace Wharf.DuckDb;

/// <summary>A DuckDB logical type, read once from the native handle into plain data.</summary>
public sealed record DuckDbColumnType(
    DuckDbType Id,
    byte Width = 0,
    byte Scale = 0,
    ImmutableArray<DuckDbField> Fields = default,
    ImmutableArray<string> EnumValues = default,
    ulong ArraySize = 0)
{
    /// <summary>The element type of a LIST or ARRAY, the entry STRUCT of a MAP.</summary>
    public DuckDbColumnType? Element { get; init; }

    /// <summary>The storage type of a DECIMAL (SMALLINT…HUGEINT) or ENUM (UTINYINT…UINTEGER).</summary>
    public DuckDbType InternalType { get; init; }

    /// <summary>A type alias, e.g. <c>JSON</c> for a VARCHAR that holds JSON.</summary>
    public string? Alias { get; init; }

    /// <summary>The type as DuckDB's SQL spells it, e.g. <c>DECIMAL(18,3)</c> or <c>STRUCT("a" INTEGER)</c>.</summary>
    public string SqlName => Id switch
    {
        DuckDbType.Decimal => $"DECIMAL({Width},{Scale})",
        DuckDbType.List => $"{Element!.SqlName}[]",
        DuckDbType.Array => $"{Element!.SqlName}[{ArraySize}]",
        DuckDbType.Struct => $"STRUCT({string.Join(", ", Fields.Select(f => $"{Quote.Identifier(f.Name)} {f.Type.SqlName}"))})",
        DuckDbType.Map => $"MAP({Element!.Fields[0].Type.SqlName}, {Element.Fields[1].Type.SqlName})",
        DuckDbType.Enum => $"ENUM({string.Join(", ", EnumValues.Select(Quote.Literal))})",
        _ => SimpleNames.TryGetValue(Id, out var name) ? name : Id.ToString().ToUpperInvariant(),
    };

    private static readonly Dictionary<DuckDbType, string> SimpleNames = new()
    {
        [DuckDbType.Boolean] = "BOOLEAN", [DuckDbType.TinyInt] = "TINYINT", [DuckDbType.SmallInt] = "SMALLINT",
        [DuckDbType.Integer] = "INTEGER", [DuckDbType.BigInt] = "BIGINT", [DuckDbType.HugeInt] = "HUGEINT",
        [DuckDbType.UTinyInt] = "UTINYINT", [DuckDbType.USmallInt] = "USMALLINT", [DuckDbType.UInteger] = "UINTEGER",
        [DuckDbType.UBigInt] = "UBIGINT", [DuckDbType.UHugeInt] = "UHUGEINT", [DuckDbType.Float] = "FLOAT",
        [DuckDbType.Double] = "DOUBLE", [DuckDbType.VarChar] = "VARCHAR", [DuckDbType.Blob] = "BLOB",
        [DuckDbType.Date] = "DATE", [DuckDbType.Time] = "TIME", [DuckDbType.TimeTz] = "TIME WITH TIME ZONE",
        [DuckDbType.Timestamp] = "TIMESTAMP", [DuckDbType.TimestampS] = "TIMESTAMP_S", [DuckDbType.TimestampMs] = "TIMESTAMP_MS",
        [DuckDbType.TimestampNs] = "TIMESTAMP_NS", [DuckDbType.TimestampTz] = "TIMESTAMP WITH TIME ZONE",
        [DuckDbType.Interval] = "INTERVAL", [DuckDbType.Uuid] = "UUID", [DuckDbType.Bit] = "BIT",
        [DuckDbType.BigNum] = "BIGNUM", [DuckDbType.SqlNull] = "\"NULL\"",
    };

    /// <summary>Reads a logical type handle; the caller still owns (and destroys) it.</summary>
    internal static DuckDbColumnType FromHandle(IntPtr logicalType)
    {
        var alias = NativeMethods.duckdb_logical_type_get_alias(logicalType);
        var type = FromHandleWithoutAlias(logicalType);
        return alias == IntPtr.Zero ? type : type with { Alias = NativeMethods.TakeUtf8(alias) };
    }

    private static DuckDbColumnType FromHandleWithoutAlias(IntPtr logicalType)
    {
        var id = NativeMethods.duckdb_get_type_id(logicalType);
        switch (id)
        {
            case DuckDbType.Decimal:
                return new DuckDbColumnType(id, NativeMethods.duckdb_decimal_width(logicalType), NativeMethods.duckdb_decimal_scale(logicalType))
                {
                    InternalType = NativeMethods.duckdb_decimal_internal_type(logicalType),
                };
            case DuckDbType.Enum:
                var size = NativeMethods.duckdb_enum_dictionary_size(logicalType);
                var values = ImmutableArray.CreateBuilder<string>((int)size);
                for (ulong i = 0; i < size; i++)
                {
                    values.Add(NativeMethods.TakeUtf8(NativeMethods.duckdb_enum_dictionary_value(logicalType, i)));
                }

                return new DuckDbColumnType(id, EnumValues: values.MoveToImmutable())
                {
                    InternalType = NativeMethods.duckdb_enum_internal_type(logicalType),
                };
            case DuckDbType.List:
            case DuckDbType.Map:
                return new DuckDbColumnType(id) { Element = FromOwnedHandle(NativeMethods.duckdb_list_type_child_type(logicalType)) };
            case DuckDbType.Array:
                return new DuckDbColumnType(id, ArraySize: NativeMethods.duckdb_array_type_array_size(logicalType))
                {
                    Element = FromOwnedHandle(NativeMethods.duckdb_array_type_child_type(logicalType)),
                };
            case DuckDbType.Struct:
                var count = NativeMethods.duckdb_struct_type_child_count(logicalType);
                var fields = ImmutableArray.CreateBuilder<DuckDbField>((int)count);
                for (ulong i = 0; i < count; i++)
                {
                    var name = NativeMethods.TakeUtf8(NativeMethods.duckdb_struct_type_child_name(logicalType, i));
                    fields.Add(new DuckDbField(name, FromOwnedHandle(NativeMethods.duckdb_struct_type_child_type(logicalType, i))));
                }

                return new DuckDbColumnType(id, Fields: fields.MoveToImmutable());
            default:
                return new DuckDbColumnType(id);
        }
    }

    /// <summary>Reads a logical type handle and destroys it.</summary>
    internal static DuckDbColumnType FromOwnedHandle(IntPtr logicalType)
    {
        try
        {
            return FromHandle(logicalType);
        }
        finally
        {
            NativeMethods.duckdb_destroy_logical_type(ref logicalType);
        }
    }
}

/// <summary>A named member of a STRUCT.</summary>
public sealed record DuckDbField(string Name, DuckDbColumnType Type);
