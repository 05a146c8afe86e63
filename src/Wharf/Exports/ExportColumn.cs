using System.Data.Common;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>What a result column holds, so every format writes its values with their meaning.</summary>
internal enum ValueKind
{
    Integer,

    /// <summary>Exact decimals: written as their digits, never through a double.</summary>
    Decimal,
    Float,
    Boolean,
    Date,
    Timestamp,

    /// <summary>A timestamp with time zone (an instant, written in UTC).</summary>
    TimestampTz,
    Text,
}

/// <summary>A result column: its name and the kind of its values.</summary>
internal sealed record ExportColumn(string Name, ValueKind Kind)
{
    /// <summary>
    /// The columns of a result. A PostgreSQL warehouse returns numerics, dates and timestamps as
    /// its own exact text; their type name says what they are.
    /// </summary>
    public static IReadOnlyList<ExportColumn> Of(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(i => new ExportColumn(reader.GetName(i), KindOf(reader.GetFieldType(i), reader.GetDataTypeName(i))))];
    }

    private static ValueKind KindOf(Type type, string typeName)
    {
        var name = typeName.ToLowerInvariant();
        return type switch
        {
            _ when type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte) || type == typeof(byte)
                || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(System.Numerics.BigInteger) => ValueKind.Integer,
            _ when type == typeof(decimal) => ValueKind.Decimal,
            _ when type == typeof(double) || type == typeof(float) => ValueKind.Float,
            _ when type == typeof(bool) => ValueKind.Boolean,
            _ when type == typeof(DateOnly) => ValueKind.Date,
            _ when type == typeof(DateTimeOffset) => ValueKind.TimestampTz,
            _ when type == typeof(DateTime) => name.Contains("with time zone", StringComparison.Ordinal) || name.Contains("tz", StringComparison.Ordinal) ? ValueKind.TimestampTz
                : name == "date" ? ValueKind.Date : ValueKind.Timestamp,
            // Text the warehouses send for what .NET cannot always hold exactly (wide decimals, PostgreSQL's numerics and dates).
            _ when name is "numeric" or "decimal" || name.StartsWith("numeric(", StringComparison.Ordinal) || name.StartsWith("decimal(", StringComparison.Ordinal) => ValueKind.Decimal,
            _ when name is "hugeint" or "uhugeint" or "ubigint" => ValueKind.Integer,
            _ when name == "date" => ValueKind.Date,
            _ when name is "timestamp without time zone" or "timestamp" => ValueKind.Timestamp,
            _ when name is "timestamp with time zone" or "timestamptz" => ValueKind.TimestampTz,
            _ => ValueKind.Text,
        };
    }
}
