using System.IO.Compression;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Npgsql;
using Wharf.DuckDb;
using Wharf.Exports;
using Wharf.IntegrationTests.Postgres;
using Wharf.Projects;
using Wharf.Runs;
using Wharf.Warehouses;
using Wharf.Warehouses.DuckDb;

namespace Wharf.IntegrationTests.Exports;

/// <summary>
/// <c>wharf export</c> from both warehouses into every format, read back: values keep their
/// meaning (exact decimals, dates as dates, NULL apart from empty text), files appear whole or
/// not at all, and each export is in the audit.
/// </summary>
public sealed class ExportTests(PostgresServer postgres) : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("wharf-export-");

    public void Dispose() => folder.Delete(recursive: true);

    private const string Rows = """
        SELECT * FROM (VALUES
          (1, CAST('12345678901234567890.12' AS DECIMAL(24,2)), 'plain', DATE '2024-02-29', TIMESTAMP '2024-02-29 13:45:00.25', TRUE),
          (2, CAST('-0.05' AS DECIMAL(24,2)), 'comma, "quote" | pipe
        newline <b>ü</b>', DATE '1999-12-31', TIMESTAMP '1999-12-31 23:59:59', FALSE),
          (3, NULL, '', NULL, NULL, NULL)) AS t(id, amount, note, day, seen_at, ok)
        """;

    /// <summary>A warehouse with the table <c>main.sample</c>, and the exporter over it.</summary>
    private async Task<(IWarehouse Warehouse, string Kind)> WarehouseAsync(string kind)
    {
        WarehouseSettings settings;
        if (kind == "duckdb")
        {
            var path = Path.Combine(folder.FullName, "warehouse.duckdb");
            using (var connection = DuckDbConnections.Open(path))
            {
                connection.Execute($"CREATE TABLE main.sample AS {Rows}");
            }

            settings = new WarehouseSettings(WarehouseKind.DuckDb, path);
        }
        else
        {
            var database = await postgres.CreateDatabaseAsync(TestContext.Current.CancellationToken);
            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync(TestContext.Current.CancellationToken);
                await using var command = new NpgsqlCommand(
                    "CREATE SCHEMA IF NOT EXISTS main; CREATE TABLE main.sample (id integer, amount numeric(24,2), note text, day date, seen_at timestamp, ok boolean); " +
                    "INSERT INTO main.sample " + Rows.Replace("DECIMAL(24,2)", "numeric(24,2)", StringComparison.Ordinal), connection);
                await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            settings = WarehouseUrl.Parse(database.Url, folder.FullName, new SourceLocation("test", 0, 0))!;
        }

        return (await WarehouseFactory.OpenAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken), kind);
    }

    private async Task<(RunRecord Record, string Path)> ExportAsync(IWarehouse warehouse, ExportFormat format, string? query = null, bool overwrite = false, params string[] partitionBy)
    {
        var path = Path.Combine(folder.FullName, "out", "sample" + (partitionBy.Length > 0 ? "" : ExportFormats.Extension(format)));
        var request = new ExportRequest("sample", query is null ? "main.sample" : null, query, path, format) { Overwrite = overwrite, PartitionBy = [.. partitionBy] };
        var record = await new Exporter(warehouse, TimeProvider.System).ExportAsync(request, TestContext.Current.CancellationToken);
        return (record, path);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Csv_and_gzipped_csv_keep_every_value_exactly_and_tell_NULL_from_empty_text(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            var (record, path) = await ExportAsync(warehouse, ExportFormat.Csv);
            record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
            record.RowsLoaded.ShouldBe(3);
            var csv = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
            csv.ShouldStartWith("id,amount,note,day,seen_at,ok\n1,12345678901234567890.12,plain,2024-02-29,2024-02-29 13:45:00.25,true\n");
            csv.ShouldContain("2,-0.05,\"comma, \"\"quote\"\" | pipe\nnewline <b>ü</b>\",1999-12-31,1999-12-31 23:59:59,false\n");
            csv.ShouldEndWith("3,,\"\",,,\n");

            var (gzipped, gzPath) = await ExportAsync(warehouse, ExportFormat.CsvGz);
            gzipped.Status.ShouldBe(RunStatus.Succeeded, gzipped.Error);
            await using var unzip = new GZipStream(File.OpenRead(gzPath), CompressionMode.Decompress);
            (await new StreamReader(unzip).ReadToEndAsync(TestContext.Current.CancellationToken)).ShouldBe(csv);
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Json_and_ndjson_write_decimals_as_exact_numbers_and_nulls_as_null(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            var (record, path) = await ExportAsync(warehouse, ExportFormat.Json);
            record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
            var rows = document.RootElement.EnumerateArray().ToList();
            rows.Count.ShouldBe(3);
            rows[0].GetProperty("amount").GetRawText().ShouldBe("12345678901234567890.12");
            rows[0].GetProperty("id").GetInt64().ShouldBe(1);
            rows[0].GetProperty("ok").GetBoolean().ShouldBeTrue();
            rows[0].GetProperty("day").GetString().ShouldBe("2024-02-29");
            rows[1].GetProperty("note").GetString().ShouldBe("comma, \"quote\" | pipe\nnewline <b>ü</b>");
            rows[2].GetProperty("amount").ValueKind.ShouldBe(JsonValueKind.Null);
            rows[2].GetProperty("note").GetString().ShouldBe("");

            var (lines, linesPath) = await ExportAsync(warehouse, ExportFormat.NdJson);
            lines.Status.ShouldBe(RunStatus.Succeeded, lines.Error);
            var each = (await File.ReadAllLinesAsync(linesPath, TestContext.Current.CancellationToken)).Where(l => l.Length > 0).ToList();
            each.Count.ShouldBe(3);
            JsonDocument.Parse(each[1]).RootElement.GetProperty("amount").GetRawText().ShouldBe("-0.05");
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Parquet_keeps_the_types_and_partitions_go_to_hive_folders(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            var (record, path) = await ExportAsync(warehouse, ExportFormat.Parquet);
            record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
            using var duck = DuckDbConnections.Open(null);
            duck.Scalar($"SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))")
                .ShouldBe("id INTEGER, amount DECIMAL(24,2), note VARCHAR, day DATE, seen_at TIMESTAMP, ok BOOLEAN".Replace("id INTEGER", kind == "duckdb" ? "id INTEGER" : "id BIGINT", StringComparison.Ordinal));
            duck.Scalar($"SELECT CAST(amount AS VARCHAR) || '|' || CAST(day AS VARCHAR) || '|' || CAST(seen_at AS VARCHAR) FROM read_parquet('{path}') WHERE id = 1")
                .ShouldBe("12345678901234567890.12|2024-02-29|2024-02-29 13:45:00.25");
            duck.Scalar($"SELECT count(*) FROM read_parquet('{path}') WHERE amount IS NULL AND note = ''").ShouldBe(1L);

            var (parts, folderPath) = await ExportAsync(warehouse, ExportFormat.Parquet, query: "SELECT id, note, ok FROM main.sample", partitionBy: ["ok"]);
            parts.Status.ShouldBe(RunStatus.Succeeded, parts.Error);
            Directory.GetDirectories(folderPath).Select(Path.GetFileName).Order().ShouldBe(["ok=__HIVE_DEFAULT_PARTITION__", "ok=false", "ok=true"], ignoreOrder: kind == "duckdb");
            duck.Scalar($"SELECT count(*) FROM read_parquet('{folderPath}/*/*.parquet', hive_partitioning = true)").ShouldBe(3L);
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Xlsx_writes_numbers_as_numbers_and_dates_as_excel_dates(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            var (record, path) = await ExportAsync(warehouse, ExportFormat.Xlsx);
            record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
            using var workbook = SpreadsheetDocument.Open(path, isEditable: false);
            var sheet = workbook.WorkbookPart!.WorksheetParts.Single().Worksheet;
            var rows = sheet.Descendants<Row>().ToList();
            rows.Count.ShouldBe(4);
            var first = rows[1].Elements<Cell>().ToList();
            first[0].DataType!.Value.ShouldBe(CellValues.Number);
            first[1].CellValue!.Text.ShouldBe("12345678901234567890.12");
            first[2].InlineString!.Text!.Text.ShouldBe("plain");
            first[3].StyleIndex!.Value.ShouldBe(1u, "a date style");
            DateTime.FromOADate(double.Parse(first[3].CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(new DateTime(2024, 2, 29));
            DateTime.FromOADate(double.Parse(first[4].CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(new DateTime(2024, 2, 29, 13, 45, 0, 250), TimeSpan.FromMilliseconds(1));
            first[5].DataType!.Value.ShouldBe(CellValues.Boolean);
            rows[3].Elements<Cell>().First(c => c.CellValue is null && c.InlineString is null).ShouldNotBeNull("NULL is an empty cell");
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Html_and_markdown_are_tables_with_their_text_escaped(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            var (html, htmlPath) = await ExportAsync(warehouse, ExportFormat.Html);
            html.Status.ShouldBe(RunStatus.Succeeded, html.Error);
            var page = await File.ReadAllTextAsync(htmlPath, TestContext.Current.CancellationToken);
            page.ShouldStartWith("<!DOCTYPE html>");
            page.ShouldContain("<th>amount</th>");
            page.ShouldContain("<td class=\"n\">12345678901234567890.12</td>");
            page.ShouldContain("&lt;b&gt;ü&lt;/b&gt;");
            page.ShouldNotContain("<b>ü</b>");
            page.ShouldContain("<td class=\"null\">NULL</td>");

            var (md, mdPath) = await ExportAsync(warehouse, ExportFormat.Markdown);
            md.Status.ShouldBe(RunStatus.Succeeded, md.Error);
            var lines = await File.ReadAllLinesAsync(mdPath, TestContext.Current.CancellationToken);
            lines[0].ShouldBe("| id | amount | note | day | seen_at | ok |");
            lines[1].ShouldBe("|---:|---:|---|---|---|---|");
            lines[3].ShouldBe("| 2 | -0.05 | comma, \"quote\" \\| pipe<br>newline <b>ü</b> | 1999-12-31 | 1999-12-31 23:59:59 | false |");
            lines.Length.ShouldBe(5);
        }
    }

    /// <summary>Runs <paramref name="sql"/> in the warehouse (a table for a test of its own).</summary>
    private static async Task ExecuteAsync(IWarehouse warehouse, string sql)
    {
        await using var connection = await warehouse.ConnectAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The cells' texts of a workbook's sheet, by row, OOXML's <c>_xHHHH_</c> escapes read as Excel reads them.</summary>
    private static List<List<string?>> SheetTexts(string path)
    {
        using var workbook = SpreadsheetDocument.Open(path, isEditable: false);
        return [.. workbook.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<Row>()
            .Select(r => r.Elements<Cell>().Select(c => c.InlineString?.Text?.Text is { } text
                ? System.Text.RegularExpressions.Regex.Replace(text, "_x([0-9A-Fa-f]{4})_", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString())
                : c.CellValue?.Text).ToList())];
    }

    [Fact]
    public async Task Parquet_writes_hugeints_as_exact_decimals_not_doubles()
    {
        var (warehouse, _) = await WarehouseAsync("duckdb");
        using (warehouse)
        {
            await ExecuteAsync(warehouse, "CREATE TABLE main.big AS SELECT CAST(9007199254740993 AS HUGEINT) AS h, CAST(9007199254740993 AS UHUGEINT) AS u, CAST(9007199254740993 AS BIGINT) AS b");
            var table = Path.Combine(folder.FullName, "big.parquet");
            var whole = await new Exporter(warehouse, TimeProvider.System).ExportAsync(new ExportRequest("big", "main.big", null, table, ExportFormat.Parquet), TestContext.Current.CancellationToken);
            whole.Status.ShouldBe(RunStatus.Succeeded, whole.Error);
            var (query, path) = await ExportAsync(warehouse, ExportFormat.Parquet, query: "SELECT sum(b) AS total, sum(b) * 1000 AS more FROM main.big");
            query.Status.ShouldBe(RunStatus.Succeeded, query.Error);

            using var duck = DuckDbConnections.Open(null);
            duck.Scalar($"SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM read_parquet('{table}'))")
                .ShouldBe("h DECIMAL(38,0), u DECIMAL(38,0), b BIGINT");
            duck.Scalar($"SELECT CAST(h AS VARCHAR) || '|' || CAST(u AS VARCHAR) || '|' || CAST(b AS VARCHAR) FROM read_parquet('{table}')")
                .ShouldBe("9007199254740993|9007199254740993|9007199254740993");
            duck.Scalar($"SELECT CAST(total AS VARCHAR) || '|' || CAST(more AS VARCHAR) FROM read_parquet('{path}')")
                .ShouldBe("9007199254740993|9007199254740993000");

            // 39 digits do not fit DECIMAL(38,0): the export fails rather than round.
            var (huge, _) = await ExportAsync(warehouse, ExportFormat.Parquet, query: "SELECT CAST('170141183460469231731687303715884105727' AS HUGEINT) AS h", overwrite: true);
            huge.Status.ShouldBe(RunStatus.Failed);
            huge.Error.ShouldNotBeNull().ShouldContain("DECIMAL(38,0)");
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task An_instant_in_csv_is_written_in_utc_with_its_offset_alike_from_both_warehouses(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            await ExecuteAsync(warehouse, "CREATE TABLE main.moments AS SELECT CAST('2024-03-09 21:00:00.5+01' AS TIMESTAMPTZ) AS at, CAST('2024-03-09 21:00:00' AS TIMESTAMP) AS local_at");
            var path = Path.Combine(folder.FullName, "moments.csv");
            var record = await new Exporter(warehouse, TimeProvider.System).ExportAsync(new ExportRequest("moments", "main.moments", null, path, ExportFormat.Csv), TestContext.Current.CancellationToken);
            record.Status.ShouldBe(RunStatus.Succeeded, record.Error);

            (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).ShouldBe("at,local_at\n2024-03-09 20:00:00.5+00,2024-03-09 21:00:00\n");
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Json_and_ndjson_write_nan_and_infinities_as_strings(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            await ExecuteAsync(warehouse, $"CREATE TABLE main.floats AS SELECT * FROM (VALUES " +
                $"(1, CAST('NaN' AS FLOAT8), CAST('NaN' AS FLOAT4)), (2, CAST('Infinity' AS FLOAT8), CAST('Infinity' AS FLOAT4)), " +
                $"(3, CAST('-Infinity' AS FLOAT8), CAST('-Infinity' AS FLOAT4)), (4, CAST(1.5 AS FLOAT8), CAST(1.1 AS FLOAT4)), (5, NULL, NULL)) AS t(id, d, f)");
            foreach (var (format, query) in new[] { (ExportFormat.Json, (string?)null), (ExportFormat.NdJson, null), (ExportFormat.Json, "SELECT * FROM main.floats ORDER BY id"), (ExportFormat.NdJson, "SELECT * FROM main.floats ORDER BY id") })
            {
                var path = Path.Combine(folder.FullName, "floats" + ExportFormats.Extension(format));
                var request = new ExportRequest("floats", query is null ? "main.floats" : null, query, path, format) { Overwrite = true };
                var record = await new Exporter(warehouse, TimeProvider.System).ExportAsync(request, TestContext.Current.CancellationToken);
                record.Status.ShouldBe(RunStatus.Succeeded, record.Error);

                var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
                var rows = (format == ExportFormat.Json
                    ? JsonDocument.Parse(text).RootElement.EnumerateArray()
                    : text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement))
                    .OrderBy(r => r.GetProperty("id").GetInt32()).ToList();
                rows.Select(r => r.GetProperty("d").ToString()).ShouldBe(["NaN", "Infinity", "-Infinity", "1.5", ""], $"{format} {query}");
                rows.Select(r => r.GetProperty("f").ToString()).ShouldBe(["NaN", "Infinity", "-Infinity", "1.1", ""], $"{format} {query}");
                rows[0].GetProperty("d").ValueKind.ShouldBe(JsonValueKind.String);
                rows[3].GetProperty("d").ValueKind.ShouldBe(JsonValueKind.Number);
                rows[3].GetProperty("f").ValueKind.ShouldBe(JsonValueKind.Number);
                rows[4].GetProperty("d").ValueKind.ShouldBe(JsonValueKind.Null);
            }
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Xlsx_writes_characters_xml_cannot_hold_as_ooxml_escapes(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            var (record, path) = await ExportAsync(warehouse, ExportFormat.Xlsx, query: "SELECT 'a' || chr(1) || 'b' || chr(31) || 'c' AS control, '_x0041_ and _x00e9_' AS escape_like, 'tab' || chr(9) || 'end' AS tab");

            record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
            SheetTexts(path)[1].ShouldBe(["a\u0001b\u001Fc", "_x0041_ and _x00e9_", "tab\tend"]);
            Directory.GetFiles(Path.GetDirectoryName(path)!).ShouldBe([path], "no .wharf-partial left");
        }
    }

    [Fact]
    public async Task An_export_that_throws_leaves_no_partial_file()
    {
        var (warehouse, _) = await WarehouseAsync("duckdb");
        using (warehouse)
        {
            // A sheet name XML cannot hold: the Open XML SDK throws an ArgumentException, which is no export failure Wharf knows.
            var path = Path.Combine(folder.FullName, "out", "bad.xlsx");
            var request = new ExportRequest("bad\u0001name", "main.sample", null, path, ExportFormat.Xlsx);

            await Should.ThrowAsync<ArgumentException>(() => new Exporter(warehouse, TimeProvider.System).ExportAsync(request, TestContext.Current.CancellationToken));

            Directory.GetFiles(Path.GetDirectoryName(path)!).ShouldBeEmpty();
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Xlsx_and_markdown_keep_a_carriage_return(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            const string Query = "SELECT 'cr' || chr(13) || 'lf' AS lone, 'a' || chr(13) || chr(10) || 'b' || chr(10) || 'c' AS pairs";

            var (xlsx, xlsxPath) = await ExportAsync(warehouse, ExportFormat.Xlsx, query: Query);
            xlsx.Status.ShouldBe(RunStatus.Succeeded, xlsx.Error);
            SheetTexts(xlsxPath)[1].ShouldBe(["cr\rlf", "a\r\nb\nc"]);

            var (md, mdPath) = await ExportAsync(warehouse, ExportFormat.Markdown, query: Query);
            md.Status.ShouldBe(RunStatus.Succeeded, md.Error);
            (await File.ReadAllTextAsync(mdPath, TestContext.Current.CancellationToken)).ShouldBe("| lone | pairs |\n|---|---|\n| cr<br>lf | a<br>b<br>c |\n");
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Xlsx_dates_are_excels_serials_before_march_1900_and_text_before_1900(string kind)
    {
        var (warehouse, _) = await WarehouseAsync(kind);
        using (warehouse)
        {
            var (record, path) = await ExportAsync(warehouse, ExportFormat.Xlsx, query: "SELECT DATE '1900-01-01' AS first, TIMESTAMP '1900-02-28 12:00:00' AS noon, DATE '1900-03-01' AS march, " +
                "DATE '1899-12-31' AS before, TIMESTAMP '0001-01-01 00:00:00' AS ever");

            record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
            SheetTexts(path)[1].ShouldBe(["1", "59.5", "61", "1899-12-31", "0001-01-01 00:00:00"]);
        }
    }

    [Fact]
    public async Task An_existing_file_needs_overwrite_and_a_failed_export_leaves_it_as_it_was()
    {
        var (warehouse, _) = await WarehouseAsync("duckdb");
        using (warehouse)
        {
            var (first, path) = await ExportAsync(warehouse, ExportFormat.Markdown);
            first.Status.ShouldBe(RunStatus.Succeeded, first.Error);
            var before = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);

            var (again, _) = await ExportAsync(warehouse, ExportFormat.Markdown);
            again.Status.ShouldBe(RunStatus.Failed);
            again.Error.ShouldNotBeNull().ShouldContain("exists. Add --overwrite");

            var (broken, _) = await ExportAsync(warehouse, ExportFormat.Markdown, query: "SELECT id, CAST(note AS INTEGER) AS boom FROM main.sample ORDER BY id", overwrite: true);
            broken.Status.ShouldBe(RunStatus.Failed);
            (await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)).ShouldBe(before);
            Directory.GetFiles(Path.GetDirectoryName(path)!).ShouldBe([path]);

            var runs = await warehouse.ListRunsAsync(10, null, TestContext.Current.CancellationToken);
            runs.Select(r => (r.Kind, r.Status)).ShouldBe([("export", RunStatus.Failed), ("export", RunStatus.Failed), ("export", RunStatus.Succeeded)]);
        }
    }

    /// <summary>A DuckDB warehouse under <paramref name="memoryLimit"/> (two threads, as CI has) whose <c>main.wide</c> has <paramref name="columns"/> 32-character texts a row.</summary>
    private async Task<IWarehouse> WideWarehouseAsync(string memoryLimit, int columns, int rows)
    {
        var path = Path.Combine(folder.FullName, "wide.duckdb");
        using (var connection = DuckDbConnections.Open(path))
        {
            var texts = string.Concat(Enumerable.Range(1, columns).Select(c => $", md5(CAST(i * {c} AS VARCHAR)) AS c{c}"));
            connection.Execute($"CREATE TABLE main.wide AS SELECT i AS id{texts} FROM range({rows}) AS t(i)");
        }

        var settings = new WarehouseSettings(WarehouseKind.DuckDb, path) { Limits = new DuckDbLimits(memoryLimit, 2) };
        return await WarehouseFactory.OpenAsync(settings, TimeProvider.System, TestContext.Current.CancellationToken);
    }

    private async Task<(RunRecord Record, string Path)> ExportAsync(IWarehouse warehouse, string table)
    {
        var path = Path.Combine(folder.FullName, "out", "wide.parquet");
        var record = await new Exporter(warehouse, TimeProvider.System).ExportAsync(
            new ExportRequest("wide", table, null, path, ExportFormat.Parquet), TestContext.Current.CancellationToken);
        return (record, path);
    }

    [Fact]
    public async Task A_wide_table_is_exported_whole_under_a_memory_limit_that_duckdbs_order_keeping_copy_runs_out_of()
    {
        // 30 texts x 150,000 rows: COPY (SELECT * FROM main.wide) TO '….parquet' fails "Out of Memory" under 160MB.
        using var warehouse = await WideWarehouseAsync("160MB", 30, 150_000);

        var (record, path) = await ExportAsync(warehouse, "main.wide");

        record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
        record.RowsLoaded.ShouldBe(150_000);
        using var duck = DuckDbConnections.Open(null);
        duck.Execute($"ATTACH {Quote.Literal(Path.Combine(folder.FullName, "wide.duckdb"))} AS wh (READ_ONLY)");
        var sums = "count(*), sum(id), sum(hash(c1) % 1000), sum(hash(c30) % 1000)";
        duck.Scalar($"SELECT CAST(({sums}) AS VARCHAR) FROM read_parquet({Quote.Literal(path)})")
            .ShouldBe(duck.Scalar($"SELECT CAST(({sums}) AS VARCHAR) FROM wh.main.wide"));
        duck.Scalar($"SELECT max(row_group_num_rows) FROM parquet_metadata({Quote.Literal(path)})").ShouldBeOfType<long>().ShouldBeLessThan(122_880L);
    }

    [Fact]
    public async Task A_table_too_wide_for_the_lean_limit_is_written_again_under_the_warehouses_own()
    {
        // 400 texts a row: the lean 192MB runs out of memory, 1GB does not.
        using var warehouse = await WideWarehouseAsync("1GB", 400, 8_000);

        var (record, path) = await ExportAsync(warehouse, "main.wide");

        record.Status.ShouldBe(RunStatus.Succeeded, record.Error);
        using var duck = DuckDbConnections.Open(null);
        duck.Scalar($"SELECT count(*) FROM read_parquet({Quote.Literal(path)})").ShouldBe(8_000L);
        ((DuckDbWarehouse)warehouse).WorkArea.Scalar("SELECT current_setting('memory_limit')").ShouldBe("953.6 MiB");
    }

    [Fact]
    public async Task Out_of_memory_under_the_warehouses_own_limit_says_to_raise_it_and_writes_nothing()
    {
        using var warehouse = await WideWarehouseAsync("40MB", 30, 150_000);

        var (record, path) = await ExportAsync(warehouse, "main.wide");

        record.Status.ShouldBe(RunStatus.Failed);
        record.Error.ShouldNotBeNull().ShouldContain("Out of Memory");
        record.Error.ShouldContain("raise DuckDB's memory limit in wharf.yml (warehouse: { url: …, memory_limit: 2GB })");
        Directory.GetFiles(Path.GetDirectoryName(path)!).ShouldBeEmpty();
    }
}
