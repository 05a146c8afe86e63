using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Schema;

namespace Wharf.Warehouses.DuckDb;

/// <summary>
/// A query's rows for people and programs (<c>wharf query</c>): every value as DuckDB itself
/// would print it, never rounded. DuckDB.NET reads dates and timestamps as .NET types that have
/// no infinity or BC years, decimals past 28 digits as .NET decimals (rounded), and refuses lists
/// that hold a NULL; so the query is described first, and such columns are read as DuckDB's text
/// (nested values as JSON, handed over as dictionaries and lists).
/// </summary>
internal sealed class DuckDbResultReader : DbDataReader
{
    private readonly DuckDBDataReader reader;
    private readonly bool[] nested;
    private readonly string[] types;

    private DuckDbResultReader(DuckDBDataReader reader, bool[] nested, string[] types)
    {
        this.reader = reader;
        this.nested = nested;
        this.types = types;
    }

    /// <summary>Runs <paramref name="sql"/>; a statement that is not a query (DDL, SET, PRAGMA) runs as it is.</summary>
    public static DbDataReader Open(DuckDBConnection connection, string sql)
    {
        var columns = new List<(string Name, string Type)>();
        try
        {
            using var described = connection.Query($"DESCRIBE {sql}");
            while (described.Read())
            {
                columns.Add((described.GetString(0), described.GetString(1)));
            }
        }
        catch (DuckDbException)
        {
            return connection.Query(sql);
        }

        var reads = columns.Select(c => (Sql: Read(Quote.Identifier(c.Name), c.Type, out var isNested), Nested: isNested)).ToList();
        if (reads.All(r => r.Sql == null) || columns.Select(c => c.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() < columns.Count)
        {
            // Nothing to convert, or names a projection cannot tell apart: as DuckDB.NET reads it.
            return connection.Query(sql);
        }

        var select = string.Join(", ", reads.Select((r, i) => r.Sql is null ? Quote.Identifier(columns[i].Name) : $"{r.Sql} AS {Quote.Identifier(columns[i].Name)}"));
        return new DuckDbResultReader(connection.Query($"SELECT {select} FROM ({sql})"), [.. reads.Select(r => r.Nested)], [.. columns.Select(c => c.Type)]);
    }

    /// <summary>The SQL that reads a column of <paramref name="type"/> exactly, or null when DuckDB.NET already does.</summary>
    private static string? Read(string column, string type, out bool isNested)
    {
        var tree = DuckDbTypeTree.Parse(type);
        isNested = tree.IsList || tree.IsStruct || type.StartsWith("MAP(", StringComparison.Ordinal) || type.StartsWith("UNION(", StringComparison.Ordinal) || type.EndsWith(']');
        if (isNested)
        {
            return $"CAST(to_json({column}) AS VARCHAR)";
        }

        var wideDecimal = LogicalType.FromDuckDb(type) is { Kind: LogicalKind.Decimal, Precision: > 28 };
        var temporal = type.StartsWith("DATE", StringComparison.Ordinal) || type.StartsWith("TIME", StringComparison.Ordinal) || type == "INTERVAL";
        return wideDecimal || temporal ? $"CAST({column} AS VARCHAR)" : null;
    }

    public override object GetValue(int ordinal)
    {
        var value = reader.GetValue(ordinal);
        return nested[ordinal] && value is string json ? FromJson(JsonDocument.Parse(json).RootElement) ?? DBNull.Value : value;
    }

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? integer : ExactOrText(element),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>A number as .NET's decimal when that keeps every digit, else as its text (a 38-digit DECIMAL).</summary>
    private static object ExactOrText(JsonElement number)
    {
        var text = number.GetRawText();
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) &&
            value.ToString(CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.') == text.TrimEnd('0').TrimEnd('.')
            ? value
            : text;
    }

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    public override Type GetFieldType(int ordinal) => nested[ordinal] ? typeof(object) : reader.GetFieldType(ordinal);

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override int FieldCount => reader.FieldCount;

    public override int RecordsAffected => reader.RecordsAffected;

    public override bool HasRows => reader.HasRows;

    public override bool IsClosed => reader.IsClosed;

    public override int Depth => reader.Depth;

    public override bool Read() => reader.Read();

    public override bool NextResult() => reader.NextResult();

    public override string GetName(int ordinal) => reader.GetName(ordinal);

    public override int GetOrdinal(string name) => reader.GetOrdinal(name);

    /// <summary>DuckDB's own type (<c>DECIMAL(38,2)</c>, <c>DATE</c>), also for a column read as its text.</summary>
    public override string GetDataTypeName(int ordinal) => types[ordinal];

    public override bool IsDBNull(int ordinal) => reader.IsDBNull(ordinal);

    public override bool GetBoolean(int ordinal) => reader.GetBoolean(ordinal);

    public override byte GetByte(int ordinal) => reader.GetByte(ordinal);

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => reader.GetBytes(ordinal, dataOffset, buffer, bufferOffset, length);

    public override char GetChar(int ordinal) => reader.GetChar(ordinal);

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => reader.GetChars(ordinal, dataOffset, buffer, bufferOffset, length);

    public override DateTime GetDateTime(int ordinal) => reader.GetDateTime(ordinal);

    public override decimal GetDecimal(int ordinal) => reader.GetDecimal(ordinal);

    public override double GetDouble(int ordinal) => reader.GetDouble(ordinal);

    public override float GetFloat(int ordinal) => reader.GetFloat(ordinal);

    public override Guid GetGuid(int ordinal) => reader.GetGuid(ordinal);

    public override short GetInt16(int ordinal) => reader.GetInt16(ordinal);

    public override int GetInt32(int ordinal) => reader.GetInt32(ordinal);

    public override long GetInt64(int ordinal) => reader.GetInt64(ordinal);

    public override string GetString(int ordinal) => reader.GetString(ordinal);

    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            reader.Dispose();
        }

        base.Dispose(disposing);
    }
}
