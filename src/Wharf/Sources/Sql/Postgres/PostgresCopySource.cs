using Wharf.DuckDb;

namespace Wharf.Sources.Sql.Postgres;

/// <summary>
/// The rows of a binary COPY as DuckDB asks for them: each value decoded from its bytes straight
/// into DuckDB's chunk (<see cref="PostgresWireCells"/>), never as a .NET object.
/// </summary>
internal sealed class PostgresCopySource(PostgresCopyRows rows, string table, IReadOnlyList<PostgresColumnPlan> plans) : IRowSource
{
    private bool begun;
    private int fields;

    /// <summary>The current row's number (from 1), for messages.</summary>
    public long Row { get; private set; }

    /// <exception cref="InvalidDataException">The stream is not a binary COPY of the selected columns.</exception>
    /// <exception cref="EndOfStreamException">The stream ended in the middle of a row.</exception>
    public bool MoveNext()
    {
        if (!begun)
        {
            // The header is read here, on the extract's own thread: the server may take a while to send it.
            rows.Begin();
            begun = true;
        }

        fields = rows.NextRow();
        if (fields == -1)
        {
            return false;
        }

        Row++;
        return fields == plans.Count ? true
            : throw new InvalidDataException($"row {Row} has {fields} fields, but the COPY selects {plans.Count} columns.");
    }

    /// <exception cref="InvalidCastException">A value is not of its column's form; the message names the column and row.</exception>
    public void Write(DuckDbChunkRows cells)
    {
        for (var i = 0; i < fields; i++)
        {
            if (rows.NextField(out var value))
            {
                Set(cells, i, plans[i], value);
            }
            else
            {
                cells.SetNull(i);
            }
        }
    }

    private void Set(DuckDbChunkRows cells, int column, PostgresColumnPlan plan, ReadOnlySpan<byte> value)
    {
        try
        {
            PostgresWireCells.Set(cells, column, plan, value);
        }
        catch (Exception ex) when (ex is InvalidCastException or OverflowException or FormatException)
        {
            throw new InvalidCastException($"column {table}.{plan.Name}, row {Row}: {ex.Message}", ex);
        }
    }
}
