using System.Data.Common;
using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Wharf.Projects;

namespace Wharf.Exports;

/// <summary>
/// An Excel workbook written row by row with the Open XML SDK's SAX writer: numbers as numbers
/// (decimals with all their digits as Excel reads them), dates and timestamps as Excel dates with
/// a date format, text inline (no shared-string table to hold). A sheet holds at most 1,048,575
/// rows under its header; the rows after that continue on the next sheet, with the header again.
/// </summary>
internal sealed class XlsxExportWriter : IExportWriter
{
    /// <summary>Excel's rows per sheet, the header's included.</summary>
    public const int SheetRows = 1_048_576;

    /// <summary>Excel's characters per cell.</summary>
    private const int CellCharacters = 32_767;

    private const uint DateStyle = 1, TimestampStyle = 2, HeaderStyle = 3;
    private readonly SpreadsheetDocument document;
    private readonly WorkbookPart workbook;
    private readonly IReadOnlyList<(int Ordinal, ExportColumn Column)> columns;
    private readonly List<(string Id, string Name)> sheets = [];
    private readonly string sheetName;
    private OpenXmlWriter? sheet;
    private int rowsInSheet;
    private long rowsWritten;

    public XlsxExportWriter(Stream output, IReadOnlyList<(int Ordinal, ExportColumn Column)> columns, string sheetName)
    {
        this.columns = columns;
        this.sheetName = sheetName.Length > 25 ? sheetName[..25] : sheetName;
        document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        workbook = document.AddWorkbookPart();
        workbook.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles();
        StartSheet();
    }

    public Task WriteRowAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        if (rowsInSheet == SheetRows)
        {
            EndSheet();
            StartSheet();
        }

        rowsWritten++;
        sheet!.WriteStartElement(new Row());
        foreach (var (ordinal, column) in columns)
        {
            sheet.WriteElement(Cell(reader, ordinal, column));
        }

        sheet.WriteEndElement();
        rowsInSheet++;
        return Task.CompletedTask;
    }

    public Task CompleteAsync(CancellationToken cancellationToken)
    {
        EndSheet();
        workbook.Workbook = new Workbook(new Sheets(sheets.Select((s, i) => new Sheet { Id = s.Id, SheetId = (uint)(i + 1), Name = s.Name })));
        document.Save();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        sheet?.Dispose();
        document.Dispose();
        return ValueTask.CompletedTask;
    }

    private void StartSheet()
    {
        var part = workbook.AddNewPart<WorksheetPart>();
        sheets.Add((workbook.GetIdOfPart(part), sheets.Count == 0 ? sheetName : $"{sheetName} ({sheets.Count + 1})"));
        sheet = OpenXmlWriter.Create(part);
        sheet.WriteStartElement(new Worksheet());
        sheet.WriteStartElement(new SheetData());
        sheet.WriteStartElement(new Row());
        foreach (var (_, column) in columns)
        {
            var header = Text(column.Name);
            header.StyleIndex = HeaderStyle;
            sheet.WriteElement(header);
        }

        sheet.WriteEndElement();
        rowsInSheet = 1;
    }

    private void EndSheet()
    {
        sheet!.WriteEndElement(); // sheetData
        sheet.WriteEndElement(); // worksheet
        sheet.Close();
        sheet = null;
    }

    private Cell Cell(DbDataReader reader, int ordinal, ExportColumn column)
    {
        if (reader.IsDBNull(ordinal))
        {
            return new Cell();
        }

        var text = ExportValues.Text(reader, ordinal, column)!;
        switch (column.Kind)
        {
            case ValueKind.Integer or ValueKind.Decimal or ValueKind.Float when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number):
                return new Cell { DataType = CellValues.Number, CellValue = new CellValue(text) };
            case ValueKind.Boolean:
                return new Cell { DataType = CellValues.Boolean, CellValue = new CellValue(text == "true" ? "1" : "0") };
            case ValueKind.Date or ValueKind.Timestamp or ValueKind.TimestampTz when Moment(reader.GetValue(ordinal)) is { } moment:
                return new Cell
                {
                    CellValue = new CellValue(moment.ToOADate().ToString("R", CultureInfo.InvariantCulture)),
                    StyleIndex = column.Kind == ValueKind.Date ? DateStyle : TimestampStyle,
                };
            default:
                if (text.Length > CellCharacters)
                {
                    throw new WharfException($"Row {rowsWritten:N0}, column {column.Name}: {text.Length:N0} characters, more than an Excel cell holds ({CellCharacters:N0}). Export to csv, json or parquet, or shorten the column in the query.");
                }

                return Text(text);
        }
    }

    private static Cell Text(string text) => new()
    {
        DataType = CellValues.InlineString,
        InlineString = new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }),
    };

    /// <summary>A date or time as Excel counts it (a PostgreSQL warehouse sends them as text); in UTC for instants.</summary>
    private static DateTime? Moment(object value) => value switch
    {
        DateOnly d => d.ToDateTime(TimeOnly.MinValue),
        DateTime t => t,
        DateTimeOffset o => o.UtcDateTime,
        string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) => parsed.UtcDateTime,
        _ => null,
    };

    private static Stylesheet Styles() => new(
        new NumberingFormats(new NumberingFormat { NumberFormatId = 164, FormatCode = "yyyy-mm-dd hh:mm:ss" }) { Count = 1 },
        new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border()) { Count = 1 },
        new CellFormats(
            new CellFormat(),
            new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
            new CellFormat { FontId = 1, ApplyFont = true }) { Count = 4 });
}
