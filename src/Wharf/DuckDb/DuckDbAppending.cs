using System.Data.Common;
using System.Numerics;
using DuckDB.NET.Data;

namespace Wharf.DuckDb;

/// <summary>
/// Rows of .NET values into DuckDB.NET's appender, which takes typed values: each value goes to
/// the <c>AppendValue</c> overload of its type. DuckDB.NET copies a value's bytes without
/// converting them to the column's type, so a value must be of its column's exact type: sources
/// stage only the types listed here, each in a column of that type (dates, timestamps, intervals
/// and decimals travel as numbers or text and become DuckDB types in SQL, see
/// <c>PostgresColumnPlan</c> and <c>ExactDecimal</c>). A value of another type is a bug, reported as one.
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

    /// <summary>Opens DuckDB.NET's appender on a table; a missing table is Wharf's <see cref="DuckDbException"/>.</summary>
    /// <param name="catalog">The database, e.g. <c>temp</c> for a temporary table (default: the connection's).</param>
    public static DuckDBAppender OpenAppender(this DuckDBConnection connection, string table, string? schema = null, string? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            return connection.CreateAppender(catalog, schema, table);
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
        decimal => throw new ArgumentException(
            "Decimals are staged as text and cast in DuckDB (ExactDecimal): DuckDB.NET's appender rounds away decimal places that do not fit.", nameof(value)),
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
