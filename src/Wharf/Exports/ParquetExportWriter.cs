using System.Data.Common;
using System.Globalization;
using Parquet;
using Parquet.Schema;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>
/// Parquet written with Parquet.Net, a row group of <see cref="RowGroupRows"/> rows at a time, for
/// warehouses whose engine cannot write it (PostgreSQL; DuckDB's own COPY writes it there).
/// Integers, floats, booleans, dates and timestamps keep their types; decimals are DECIMAL(p,s)
/// when the column declares them, else text with every digit.
/// </summary>
internal sealed class ParquetExportWriter : IExportWriter
{
    /// <summary>Rows buffered per row group: memory stays bounded whatever the table's size.</summary>
    public const int RowGroupRows = 100_000;

    private readonly ParquetWriter writer;
    private readonly List<ParquetColumnBuffer> buffers;
    private int buffered;

    private ParquetExportWriter(ParquetWriter writer, List<ParquetColumnBuffer> buffers)
    {
        this.writer = writer;
        this.buffers = buffers;
    }

    public static async Task<ParquetExportWriter> CreateAsync(Stream output, DbDataReader reader, IReadOnlyList<(int Ordinal, ExportColumn Column)> columns, CancellationToken cancellationToken)
    {
        var schema = reader.GetColumnSchema();
        var buffers = columns.Select(c => ParquetColumnBuffer.For(c.Ordinal, c.Column, schema[c.Ordinal])).ToList();
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(buffers.Select(b => (Field)b.Field)), output, cancellationToken: cancellationToken);
        return new ParquetExportWriter(writer, buffers);
    }

    public async Task WriteRowAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        foreach (var buffer in buffers)
        {
            buffer.Add(reader);
        }

        if (++buffered == RowGroupRows)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (buffered > 0 || buffers.All(b => b.Written == 0))
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await writer.DisposeAsync();

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        foreach (var buffer in buffers)
        {
            await buffer.WriteAsync(group, cancellationToken);
        }

        group.CompleteValidate();
        buffered = 0;
    }
}

/// <summary>One column's values of the row group being filled, typed as its Parquet field.</summary>
internal abstract class ParquetColumnBuffer
{
    public abstract DataField Field { get; }

    public long Written { get; protected set; }

    public abstract void Add(DbDataReader reader);

    public abstract Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken);

    public static ParquetColumnBuffer For(int ordinal, ExportColumn column, DbColumn schema) => column.Kind switch
    {
        ValueKind.Integer => new Typed<long>(new DataField(column.Name, typeof(long), isNullable: true), ordinal, v => Convert.ToInt64(v, CultureInfo.InvariantCulture)),
        ValueKind.Float => new Typed<double>(new DataField(column.Name, typeof(double), isNullable: true), ordinal, v => Convert.ToDouble(v, CultureInfo.InvariantCulture)),
        ValueKind.Boolean => new Typed<bool>(new DataField(column.Name, typeof(bool), isNullable: true), ordinal, v => (bool)v),
        ValueKind.Decimal when schema.NumericPrecision is > 0 and <= 28 && schema.NumericScale is { } scale =>
            new Typed<decimal>(new DecimalDataField(column.Name, schema.NumericPrecision.Value, scale, isNullable: true), ordinal,
                v => v is string s ? decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture) : Convert.ToDecimal(v, CultureInfo.InvariantCulture)),
        ValueKind.Date => new Typed<DateOnly>(new DataField(column.Name, typeof(DateOnly), isNullable: true), ordinal, v => v switch
        {
            DateOnly d => d,
            DateTime t => DateOnly.FromDateTime(t),
            _ => DateOnly.Parse((string)v, CultureInfo.InvariantCulture),
        }),
        ValueKind.Timestamp or ValueKind.TimestampTz => new Typed<DateTime>(
            new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: column.Kind == ValueKind.TimestampTz, unit: DateTimeTimeUnit.Micros, isNullable: true), ordinal, v => v switch
            {
                DateTime t => t,
                DateTimeOffset o => o.UtcDateTime,
                _ when column.Kind == ValueKind.TimestampTz => DateTimeOffset.Parse((string)v, CultureInfo.InvariantCulture).UtcDateTime,
                _ => DateTime.Parse((string)v, CultureInfo.InvariantCulture),
            }),
        _ => new Strings(new DataField(column.Name, typeof(string), isNullable: true), ordinal, column),
    };

    private sealed class Typed<T>(DataField dataField, int ordinal, Func<object, T> convert) : ParquetColumnBuffer
        where T : struct
    {
        private readonly List<T?> values = new(ParquetExportWriter.RowGroupRows);

        public override DataField Field => dataField;

        public override void Add(DbDataReader reader)
        {
            if (reader.IsDBNull(ordinal))
            {
                values.Add(null);
                return;
            }

            var value = reader.GetValue(ordinal);
            try
            {
                values.Add(convert(value));
            }
            catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
            {
                throw new WharfException($"Column {dataField.Name}: '{value}' cannot be written to Parquet as {typeof(T).Name} ({ex.Message}). Cast it in the query (e.g. to text).", ex);
            }
        }

        public override async Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
        {
            await group.WriteAsync<T>(dataField, values.ToArray(), null, null, cancellationToken);
            Written += values.Count;
            values.Clear();
        }
    }

    private sealed class Strings(DataField dataField, int ordinal, ExportColumn column) : ParquetColumnBuffer
    {
        private readonly List<string> values = new(ParquetExportWriter.RowGroupRows);

        public override DataField Field => dataField;

        public override void Add(DbDataReader reader) => values.Add(ExportValues.Text(reader, ordinal, column)!);

        public override async Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
        {
            await group.WriteAsync(dataField, values, null);
            Written += values.Count;
            values.Clear();
        }
    }
}
