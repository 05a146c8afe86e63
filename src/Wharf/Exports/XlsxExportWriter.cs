using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Xml;
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
/// Text keeps every character: a carriage return is written as <c>&amp;#xD;</c> (an XML writer
/// would make it a line feed), a character XML cannot hold as OOXML's <c>_xHHHH_</c> (<see cref="Escape"/>).
/// </summary>
internal sealed class XlsxExportWriter : IExportWriter
{
    /// <summary>Excel's rows per sheet, the header's included.</summary>
    public const int SheetRows = 1_048_576;

    /// <summary>Excel's characters per cell.</summary>
    private const int CellCharacters = 32_767;

    private const uint DateStyle = 1, TimestampStyle = 2, HeaderStyle = 3;

    /// <summary>SpreadsheetML's namespace, under the prefix the SDK's elements write, so no cell declares it again.</summary>
    private const string Prefix = "x", Namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>
    /// Entitize, not the default Replace, which turned <c>\r\n</c> and a lone <c>\r</c> into <c>\n</c>:
    /// a parser reads <c>&amp;#xD;</c> back as the carriage return (the Open XML SDK's own writer takes no settings).
    /// </summary>
    private static readonly XmlWriterSettings SheetSettings = new() { Encoding = new UTF8Encoding(false), NewLineHandling = NewLineHandling.Entitize, CloseOutput = true };

    /// <summary>The first day Excel shows as a date (serial 1), and the first after its 29 February 1900, a day that never was (serial 60).</summary>
    private static readonly DateTime FirstDay = new(1900, 1, 1), AfterLeapDay = new(1900, 3, 1);

    private static readonly SearchValues<char> Hex = SearchValues.Create("0123456789ABCDEFabcdef");

    private readonly SpreadsheetDocument document;
    private readonly WorkbookPart workbook;
    private readonly IReadOnlyList<(int Ordinal, ExportColumn Column)> columns;
    private readonly List<(string Id, string Name)> sheets = [];
    private readonly string sheetName;
    private XmlWriter? sheet;
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
        sheet!.WriteStartElement(Prefix, "row", Namespace);
        foreach (var (ordinal, column) in columns)
        {
            Cell(reader, ordinal, column).WriteTo(sheet);
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
        sheet = XmlWriter.Create(part.GetStream(FileMode.Create), SheetSettings);
        sheet.WriteStartElement(Prefix, "worksheet", Namespace);
        sheet.WriteStartElement(Prefix, "sheetData", Namespace);
        sheet.WriteStartElement(Prefix, "row", Namespace);
        foreach (var (_, column) in columns)
        {
            var header = Text(column.Name);
            header.StyleIndex = HeaderStyle;
            header.WriteTo(sheet);
        }

        sheet.WriteEndElement();
        rowsInSheet = 1;
    }

    private void EndSheet()
    {
        sheet!.WriteEndElement(); // sheetData
        sheet.WriteEndElement(); // worksheet
        sheet.Dispose();
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
            case ValueKind.Date or ValueKind.Timestamp or ValueKind.TimestampTz when Moment(reader.GetValue(ordinal)) is { } moment && Serial(moment) is { } serial:
                return new Cell
                {
                    CellValue = new CellValue(serial.ToString("R", CultureInfo.InvariantCulture)),
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
        InlineString = new InlineString(new Text(Escape(text)) { Space = SpaceProcessingModeValues.Preserve }),
    };

    /// <summary>
    /// Text as OOXML's strings hold it (ST_Xstring): a character XML 1.0 cannot hold (<c>chr(1)</c>,
    /// a lone surrogate) as <c>_xHHHH_</c>, which Excel reads back as the character, where the XML
    /// writer threw; and the <c>_</c> of a text that is already such an escape as <c>_x005F_</c>, so
    /// <c>_x0041_</c> is read back as written, not as <c>A</c>.
    /// </summary>
    private static string Escape(string text)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (!pair && (!XmlConvert.IsXmlChar(c) || (c == '_' && IsEscape(text, i))))
            {
                escaped ??= new StringBuilder(text.Length + 16).Append(text, 0, i);
                escaped.Append(CultureInfo.InvariantCulture, $"_x{(int)c:X4}_");
                continue;
            }

            escaped?.Append(c);
            if (pair)
            {
                escaped?.Append(text[++i]);
            }
        }

        return escaped?.ToString() ?? text;
    }

    /// <summary>Whether <c>_xHHHH_</c> starts at <paramref name="start"/>.</summary>
    private static bool IsEscape(string text, int start) =>
        start + 7 <= text.Length && text[start + 1] == 'x' && text[start + 6] == '_' && !text.AsSpan(start + 2, 4).ContainsAnyExcept(Hex);

    /// <summary>
    /// Excel's serial for a moment: OLE Automation's from 1 March 1900, one less before it, since
    /// Excel counts a 29 February 1900 (OLE's 1900-01-01 is 2, Excel's 1). Null before 1900, which
    /// Excel cannot show as a date (OLE's serial for 0001-01-01 is 0, Excel's 1900-01-00).
    /// </summary>
    private static double? Serial(DateTime moment) =>
        moment < FirstDay ? null : moment.ToOADate() - (moment < AfterLeapDay ? 1 : 0);

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
