using System.Data.Common;
using Wharf.DuckDb;

namespace Wharf.Sources.Sql;

/// <summary>The rows of a data reader as DuckDB asks for them, each value read as a .NET object of its column's staged type.</summary>
/// <param name="value">A non-NULL value of a column (reader, ordinal, row number for messages), as its staged type wants it.</param>
internal sealed class ReaderRowSource(DbDataReader reader, Func<DbDataReader, int, long, object?> value) : IRowSource
{
    private readonly object?[] values = new object?[reader.FieldCount];

    /// <summary>The current row's number (from 1), for messages.</summary>
    public long Row { get; private set; }

    public bool MoveNext()
    {
        if (!reader.Read())
        {
            return false;
        }

        Row++;
        return true;
    }

    public void Write(DuckDbChunkRows rows)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : value(reader, i, Row);
        }

        rows.WriteRow(values);
    }
}
