using System.Data.Common;
using System.Numerics;
using DuckDB.NET.Data;

namespace Wharf.DuckDb;

/// <summary>
/// Rows of .NET values into DuckDB.NET's appender, which takes typed values: each value goes to
/// the <c>AppendValue</c> overload of its type. Sources stage only the types listed here (dates,
/// timestamps and intervals travel as numbers or text and become DuckDB types in SQL, see
/// <c>PostgresColumnPlan</c>), so a value of another type is a bug, reported as one.
/// </summary>
internal static class DuckDbAppending
{
    /// <summary>Appends one row; values in table column order.</summary>
    /// <exception cref="DuckDbException">DuckDB refused the row (a value that does not fit its column).</exception>
    public static void AppendRow(this DuckDBAppender appender, params ReadOnlySpan<object?> values)
    {
        try
        {
            var row = appender.CreateRow();
            foreach (var value in values)
            {
                row = Append(row, value);
            }

            row.EndRow();
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException(ex);
        }
    }

    /// <summary>Sends the appended rows to the table and closes the appender.</summary>
    /// <exception cref="DuckDbException">DuckDB refused the rows.</exception>
    public static void Complete(this DuckDBAppender appender)
    {
        try
        {
            appender.Close();
        }
        catch (DuckDBException ex)
        {
            throw new DuckDbException(ex);
        }
    }

    /// <summary>Appends every remaining row of a reader whose columns match the table's, in order.</summary>
    public static long AppendReader(this DuckDBAppender appender, DbDataReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var values = new object?[reader.FieldCount];
        long count = 0;
        while (reader.Read())
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            appender.AppendRow(values);
            if ((++count & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        return count;
    }

    private static IDuckDBAppenderRow Append(IDuckDBAppenderRow row, object? value) => value switch
    {
        null or DBNull => row.AppendNullValue(),
        bool v => row.AppendValue(v),
        sbyte v => row.AppendValue(v),
        short v => row.AppendValue(v),
        int v => row.AppendValue(v),
        long v => row.AppendValue(v),
        byte v => row.AppendValue(v),
        ushort v => row.AppendValue(v),
        uint v => row.AppendValue(v),
        ulong v => row.AppendValue(v),
        Int128 v => row.AppendValue((BigInteger?)v),
        BigInteger v => row.AppendValue(v),
        float v => row.AppendValue(v),
        double v => row.AppendValue(v),
        decimal v => row.AppendValue(v),
        string v => row.AppendValue(v),
        byte[] v => row.AppendValue(v),
        Guid v => row.AppendValue(v),
        DateOnly v => row.AppendValue(v),
        TimeOnly v => row.AppendValue(v),
        DateTime v => row.AppendValue(v),
        DateTimeOffset v => row.AppendValue(v),
        TimeSpan v => row.AppendValue(v),
        _ => throw new ArgumentException($"Cannot append a {value.GetType().Name} to a DuckDB table.", nameof(value)),
    };
}
