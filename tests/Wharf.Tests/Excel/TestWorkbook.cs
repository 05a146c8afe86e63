using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Wharf.Tests.Excel;

/// <summary>A formula with the value Excel cached for it.</summary>
internal sealed record Formula(string Text, object Cached);

/// <summary>An error cell, as Excel writes <c>#DIV/0!</c>.</summary>
internal sealed record ErrorCell(string Text);

/// <summary>One sheet: its rows (null for an empty cell, an empty row for a gap) and merged ranges such as "B1:C1".</summary>
internal sealed record TestSheet(string Name, object?[][] Rows, params string[] Merged);

/// <summary>
/// .xlsx files written for the tests with the Open XML SDK, as Excel writes them: numbers, inline
/// text, booleans, dates as serial numbers with a date format, formulas with cached values, errors.
/// </summary>
internal static class TestWorkbook
{
    private const uint DateStyle = 1;
    private const uint DateTimeStyle = 2;
    private const uint TimeStyle = 3;

    public static string Write(string path, params TestSheet[] sheets)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        var styles = workbook.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new Fonts(new Font()),
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
            new Borders(new Border()),
            new CellStyleFormats(new CellFormat()),
            new CellFormats(
                new CellFormat(),
                new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true },
                new CellFormat { NumberFormatId = 22, ApplyNumberFormat = true },
                new CellFormat { NumberFormatId = 21, ApplyNumberFormat = true }));
        var list = workbook.Workbook.AppendChild(new Sheets());
        for (var s = 0; s < sheets.Length; s++)
        {
            var part = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            for (var r = 0; r < sheets[s].Rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < sheets[s].Rows[r].Length; c++)
                {
                    if (sheets[s].Rows[r][c] is { } value)
                    {
                        row.Append(Cell($"{Wharf.Projects.ExcelRange.Letters(c)}{r + 1}", value));
                    }
                }

                data.Append(row);
            }

            var worksheet = new Worksheet(data);
            if (sheets[s].Merged.Length > 0)
            {
                worksheet.Append(new MergeCells(sheets[s].Merged.Select(m => new MergeCell { Reference = m })));
            }

            part.Worksheet = worksheet;
            list.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = (uint)(s + 1), Name = sheets[s].Name });
        }

        return path;
    }

    /// <summary>A sheet of <paramref name="rows"/> rows (id, amount, note, day) written as a stream, as big sheets are.</summary>
    public static string WriteRows(string path, int rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        var part = workbook.AddNewPart<WorksheetPart>();
        using (var writer = OpenXmlWriter.Create(part))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            writer.WriteElement(new Row(new[] { "id", "amount", "note", "day" }.Select(n => new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(n)) })));
            for (var i = 1; i <= rows; i++)
            {
                writer.WriteElement(new Row(
                    new Cell { CellValue = new CellValue(i) },
                    new Cell { CellValue = new CellValue((i % 1000 / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture)) },
                    new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text($"note {i % 100}")) },
                    new Cell { CellValue = new CellValue(45000 + (i % 365)) }));
            }

            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = "Data" }));
        return path;
    }

    private static Cell Cell(string reference, object value) => value switch
    {
        string text => new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(text)) },
        bool b => new Cell { CellReference = reference, DataType = CellValues.Boolean, CellValue = new CellValue(b ? "1" : "0") },
        DateTime d => new Cell { CellReference = reference, StyleIndex = d.TimeOfDay == TimeSpan.Zero ? DateStyle : DateTimeStyle, CellValue = new CellValue(d.ToOADate().ToString("R", System.Globalization.CultureInfo.InvariantCulture)) },
        // A time of day is the fraction of a day, shown with a time format (h:mm:ss).
        TimeSpan t => new Cell { CellReference = reference, StyleIndex = TimeStyle, CellValue = new CellValue(t.TotalDays.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) },
        Formula f => Cached(new Cell { CellReference = reference, CellFormula = new CellFormula(f.Text) }, f.Cached),
        ErrorCell e => new Cell { CellReference = reference, DataType = CellValues.Error, CellValue = new CellValue(e.Text) },
        _ => new Cell { CellReference = reference, CellValue = new CellValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!) },
    };

    private static Cell Cached(Cell cell, object cached)
    {
        var value = Cell(cell.CellReference!, cached);
        cell.DataType = value.DataType is { } type && type.Value == CellValues.InlineString ? CellValues.String : value.DataType;
        cell.StyleIndex = value.StyleIndex;
        cell.CellValue = new CellValue(cached is string s ? s : value.CellValue!.Text);
        return cell;
    }
}
