using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ExcelDataReader;

namespace Wharf.Bench;

/// <summary>
/// bench/excel.sh's two sides that are not Wharf: a workbook of N order rows written as a stream
/// (id, customer_id, amount, created_at as a date cell, status as text), and the bare read a user
/// could write instead: ExcelDataReader over every cell, counting the rows.
/// </summary>
internal static class ExcelBench
{
    private static readonly string[] Header = ["id", "customer_id", "amount", "created_at", "status"];

    public static void Write(long rows, string path)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbook = document.AddWorkbookPart();
        workbook.Workbook = new Workbook();
        var styles = workbook.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new Fonts(new Font()), new Fills(new Fill(), new Fill()), new Borders(new Border()), new CellStyleFormats(new CellFormat()),
            new CellFormats(new CellFormat(), new CellFormat { NumberFormatId = 22, ApplyNumberFormat = true }));
        var part = workbook.AddNewPart<WorksheetPart>();
        string[] statuses = ["new", "paid", "shipped", "delivered", "cancelled"];
        var start = new DateTime(2024, 1, 1).ToOADate();
        using (var writer = OpenXmlWriter.Create(part))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            writer.WriteElement(new Row(Header.Select(Text)));
            for (long i = 1; i <= rows; i++)
            {
                writer.WriteElement(new Row(
                    Number(i.ToString(CultureInfo.InvariantCulture)),
                    Number((i * 7919 % 100000).ToString(CultureInfo.InvariantCulture)),
                    Number((i * 31 % 100000 / 100.0).ToString("R", CultureInfo.InvariantCulture)),
                    new Cell { StyleIndex = 1, CellValue = new CellValue((start + (i / 86400.0)).ToString("R", CultureInfo.InvariantCulture)) },
                    Text(statuses[i % 5])));
            }

            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = "Orders" }));
    }

    /// <summary>Every cell of the first sheet read and touched; the rows under the header.</summary>
    public static long Read(string path)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        using var stream = File.OpenRead(path);
        using var reader = ExcelReaderFactory.CreateReader(stream);
        long rows = -1, cells = 0;
        while (reader.Read())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                cells += reader.GetValue(i) is null ? 0 : 1;
            }
        }

        return cells > 0 ? rows : 0;
    }

    private static Cell Number(string value) => new() { CellValue = new CellValue(value) };

    private static Cell Text(string value) => new() { DataType = CellValues.InlineString, InlineString = new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(value)) };
}
