using System.Text;
using System.Text.Json;
using Wharf.DuckDb;
using Wharf.Projects;
using Wharf.Sources.Files;
using Wharf.Sources.Http;

namespace Wharf.Tests.Sources.Http;

/// <summary>
/// When spooled records are read again with the types DuckDB detected (fast), and when they are typed
/// again (dates and times in formats that a given type would read differently).
/// </summary>
public sealed class SpoolTablesTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("wharf-spool-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData("""{"id": 1, "name": "Ana", "day": "2024-01-02", "at": "2024-01-02T10:00:00Z", "tags": [{"on": "2024-01-02 10:00:00.123456"}]}""", true)]
    [InlineData("""{"id": 1, "shipping": {"at": "10:00:00"}, "price": 1.5}""", true)]
    [InlineData("""{"id": 1, "day": "24-01-02"}""", false)]
    [InlineData("""{"id": 1, "at": "2024-01-02T10:00:00+02:00"}""", false)]
    [InlineData("""{"id": 1, "tags": [{"on": "01-02-2024"}]}""", false)]
    public void Records_AreReadWithTheirTypesGiven_OnlyWhenTheirDatesArePlainIso(string record, bool typed)
    {
        var file = Path.Combine(folder, "partition.ndjson");
        File.WriteAllText(file, record + "\n");
        var shape = new RecordShape();
        using (var document = JsonDocument.Parse(record))
        {
            shape.Learn(document.RootElement, 1);
        }

        using var workArea = DuckDbConnections.Open(null);
        var tables = SpoolTables.Plan(workArea, [file], Pipeline(), "api", shape);

        tables.All(t => t.Sql.Contains("columns = {", StringComparison.Ordinal)).ShouldBe(typed, tables[0].Sql);
        SpoolTables.Plan(workArea, [file], Pipeline(), "api").ShouldAllBe(t => !t.Sql.Contains("columns = {", StringComparison.Ordinal), "without a shape, nothing is taken on trust");
    }

    [Fact]
    public void SeveralFiles_AreTypedFromASampleOfEach_AndEachGroupCanBeReadAlone()
    {
        // The first file's numbers are whole, the second's not, and only the second has "note".
        var first = Path.Combine(folder, "partition-000000.ndjson");
        var second = Path.Combine(folder, "partition-000001.ndjson");
        File.WriteAllText(first, string.Concat(Enumerable.Range(1, 3000).Select(i => $$"""{"id": {{i}}, "x": {{i}}}""" + "\n")));
        File.WriteAllText(second, string.Concat(Enumerable.Range(3001, 10).Select(i => $$"""{"id": {{i}}, "x": {{i}}.5, "note": "n{{i}}"}""" + "\n")));
        var shape = new RecordShape();
        foreach (var line in File.ReadLines(first).Concat(File.ReadLines(second)))
        {
            using var document = JsonDocument.Parse(line);
            shape.Learn(document.RootElement, 1);
        }

        using var workArea = DuckDbConnections.Open(null);
        var (tables, someFiles) = SpoolTables.PlanByFile(workArea, [first, second], Pipeline(), "api", shape);

        tables.ShouldHaveSingleItem().Sql.ShouldContain("columns = {");
        using (var described = workArea.Query($"SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE {tables[0].Sql})"))
        {
            described.Read();
            described.GetString(0).ShouldBe("id BIGINT, x DOUBLE, note VARCHAR");
        }

        Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray().ShouldBe([first, second], "the sample file is gone");
        workArea.Scalar($"SELECT count(*) || ':' || sum(x) FROM ({someFiles.ShouldNotBeNull()([second])})").ShouldBe("10:30060.0");
    }

    [Fact]
    public void ALaterSpoolOfTheSameShape_TakesTheEarlierColumns_WithoutAskingDuckDb_AndOneOfAnotherShapeIsSampled()
    {
        var sampled = new SampledColumns();
        string Spool(string name, string records)
        {
            var file = Path.Combine(folder, name);
            File.WriteAllText(file, records);
            return file;
        }

        RecordShape Shape(string file)
        {
            var shape = new RecordShape();
            foreach (var line in File.ReadLines(file))
            {
                using var document = JsonDocument.Parse(line);
                shape.Learn(document.RootElement, 1);
            }

            return shape;
        }

        var first = Spool("batch-000000.ndjson", """{"id": 1, "at": "2024-01-02T10:00:00Z", "x": 1.5}""" + "\n");
        using (var workArea = DuckDbConnections.Open(null))
        {
            SpoolTables.Plan(workArea, [first], Pipeline(), "mq", Shape(first), earlier: sampled).ShouldHaveSingleItem();
        }

        sampled.Columns.ShouldNotBeNull().ShouldBe([("id", "BIGINT"), ("at", "TIMESTAMP"), ("x", "DOUBLE")]);

        // A closed connection fails any statement: the plan of the second batch asks DuckDB nothing.
        var second = Spool("batch-000001.ndjson", """{"x": 2.25, "id": 2, "at": "2024-01-03T11:00:00Z"}""" + "\n");
        var closed = DuckDbConnections.Open(null);
        closed.Dispose();
        SpoolTables.Plan(closed, [second], Pipeline(), "mq", Shape(second), earlier: sampled).ShouldHaveSingleItem().Sql.ShouldContain("'at': 'TIMESTAMP'");

        // A field more, or one of another kind: sampled again, and that is kept for the next.
        var third = Spool("batch-000002.ndjson", """{"id": 3, "at": "not a time", "x": 3, "note": "n"}""" + "\n");
        Should.Throw<Exception>(() => SpoolTables.Plan(closed, [third], Pipeline(), "mq", Shape(third), earlier: sampled));
        using (var workArea = DuckDbConnections.Open(null))
        {
            SpoolTables.Plan(workArea, [third], Pipeline(), "mq", Shape(third), earlier: sampled).ShouldHaveSingleItem();
        }

        sampled.Columns.ShouldBe([("id", "BIGINT"), ("at", "VARCHAR"), ("x", "BIGINT"), ("note", "VARCHAR")]);
    }

    [Fact]
    public void SpoolFiles_AreGroupedInOrder_UpToThePartSize()
    {
        long[] megabytes = [40, 40, 10, 70, 1];
        var spools = megabytes.Select((size, i) =>
        {
            var file = Path.Combine(folder, $"partition-{i:D6}.ndjson");
            using (var stream = File.Create(file))
            {
                stream.SetLength(size << 20);
            }

            return (file, System.Collections.Immutable.ImmutableArray.Create($"page {i}"));
        }).ToList();

        var groups = HttpSource.Groups(spools);

        HttpSource.PartBytes.ShouldBe(64L << 20);
        groups.Select(g => string.Join("+", g.Select(s => s.Pages[0]))).ShouldBe(["page 0", "page 1+page 2", "page 3", "page 4"]);
    }

    [Fact]
    public void PartitionVariables_AreLearntToo()
    {
        var file = Path.Combine(folder, "partition.ndjson");
        File.WriteAllText(file, """{"id": 1, "day": "02-01-2024"}""" + "\n");
        var shape = new RecordShape();
        using (var document = JsonDocument.Parse("""{"id": 1}"""))
        {
            shape.Learn(document.RootElement, 1);
        }

        shape.LearnText([KeyValuePair.Create("day", "02-01-2024")]);
        using var workArea = DuckDbConnections.Open(null);

        SpoolTables.Plan(workArea, [file], Pipeline(), "api", shape)[0].Sql.ShouldNotContain("columns = {");
    }

    [Theory]
    [InlineData("2024-01-02", "Date")]
    [InlineData("0001-01-01", "Date")]
    [InlineData("10:00:00", "Time")]
    [InlineData("10:00:00.123456", "Time")]
    [InlineData("23:59:59.2", "Time")]
    [InlineData("6f9619ff-8b86-d011-b42d-00c04fc964ff", "Uuid")]
    [InlineData("6F9619FF-8B86-D011-B42D-00C04FC964FF", "Uuid")]
    [InlineData("2024-01-02T10:00:00", "T")]
    [InlineData("2024-01-02T10:00:00.5Z", "TZ.1")]
    [InlineData("2024-01-02 10:00:00.123456", " .6")]
    [InlineData("24-01-02", "Other")]
    [InlineData("01-02-2024", "Other")]
    [InlineData("2024-1-2", "Other")]
    [InlineData("2024-02-30", "Other")]
    [InlineData("0000-01-02", "Other")]
    [InlineData("24:00:00", "Other")]
    [InlineData("2024-01-02T10:00:00+02:00", "Other")]
    [InlineData("2024-01-02 10:00:00Z", "Other")]
    [InlineData("2024-01-02T10:00:00.1234567Z", "Other")]
    [InlineData("6f9619ff8b86d011b42d00c04fc964ff", "Other")]
    [InlineData("{6f9619ff-8b86-d011-b42d-00c04fc964ff}", "Other")]
    [InlineData("10:00", "Other")]
    [InlineData("", "Other")]
    [InlineData("ok", "Other")]
    [InlineData("2024-01-02T", "Other")]
    public void TextForm_TellsApartWhatTheReaderTypesAlike(string text, string form)
    {
        var expected = form switch
        {
            "Date" => TextForms.Date,
            "Time" => TextForms.Time,
            "Uuid" => TextForms.Uuid,
            "Other" => TextForms.Other,
            _ => TextForm.Timestamp(form.StartsWith('T'), form.Contains('Z', StringComparison.Ordinal), form.Contains('.', StringComparison.Ordinal) ? form[^1] - '0' : 0),
        };

        TextForm.Of(Encoding.UTF8.GetBytes(text)).ShouldBe(expected);
    }

    [Fact]
    public void TimestampForms_AreOneEach()
    {
        var forms = new[] { false, true }.SelectMany(t => new[] { false, true }.Where(z => t || !z).SelectMany(z => Enumerable.Range(0, 7).Select(f => TextForm.Timestamp(t, z, f)))).ToList();

        forms.Distinct().Count().ShouldBe(21);
        forms.ShouldAllBe(f => TextForm.IsOne(f) && TextForm.IsTimestamp(f));
        TextForm.IsTimestamp(TextForms.Date).ShouldBeFalse();
        TextForm.IsOne(forms[0] | forms[1]).ShouldBeFalse();
    }

    /// <summary>
    /// Records whose first <see cref="SpoolTables.SampleSize"/>-odd lines are <paramref name="early"/> and
    /// whose last is <paramref name="late"/>: the plan's columns are always those DuckDB gives looking at
    /// every record, and the sample's types are taken only when the shape shows they fit every record.
    /// </summary>
    [Theory]
    [InlineData("""{"v": 1}""", """{"v": 2.5}""", false)]
    [InlineData("""{"v": 1}""", """{"v": 9223372036854775808}""", false)]
    [InlineData("""{"v": 1}""", """{"v": 1, "w": "new"}""", false)]
    [InlineData("""{"d": "2024-01-02"}""", """{"d": "soon"}""", false)]
    [InlineData("""{"d": "2024-01-02"}""", """{"d": "2024-02-30"}""", false)]
    [InlineData("""{"t": "2024-01-02T10:00:00"}""", """{"t": "2024-01-02T10:00:00.5"}""", false)]
    [InlineData("""{"u": "6f9619ff-8b86-d011-b42d-00c04fc964ff"}""", """{"u": "n/a"}""", false)]
    [InlineData("""{"n": null, "v": 1}""", """{"n": 3, "v": 1}""", false)]
    [InlineData("""{"o": {"a": 1}}""", """{"o": {"a": 1, "b": true}}""", false)]
    [InlineData("""{"l": [1]}""", """{"l": [1.5]}""", false)]
    [InlineData("""{"l": []}""", """{"l": [{"x": 1}]}""", false)]
    [InlineData("""{"tm": "10:00:00"}""", """{"tm": "10:00:00.25"}""", true)]
    [InlineData(
        """{"v": 1, "f": 0.5, "d": "2024-01-02", "t": "2024-01-02T10:00:00Z", "u": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "o": {"a": [{"x": 1.5}]}, "b": true, "s": "x", "n": null, "e": []}""",
        """{"v": 2, "f": 3, "d": "2024-12-31", "t": "2025-01-02T23:59:59Z", "u": "00000000-0000-0000-0000-000000000000", "o": {"a": [{"x": 2}, {"x": null}]}, "b": false, "s": "2024-01-02", "n": null, "e": []}""",
        true)]
    public void SampledTypes_AreTakenOnlyWhenTheShapeShowsTheyFitEveryRecord(string early, string late, bool fits)
    {
        var file = Path.Combine(folder, "partition.ndjson");
        var lines = Enumerable.Repeat(early, SpoolTables.SampleSize + 100).Append(late).ToList();
        File.WriteAllLines(file, lines);
        var shape = new RecordShape();
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            shape.Learn(document.RootElement, 1);
        }

        using var workArea = DuckDbConnections.Open(null);
        var sampled = NestedJson.Describe(workArea, SpoolTables.Relation([file], SpoolTables.SampleSize));
        SpoolTables.Fits(sampled, shape.Root).ShouldBe(fits, string.Join(", ", sampled));

        var planned = SpoolTables.Plan(workArea, [file], Pipeline(), "api", shape);
        var inferred = SpoolTables.Plan(workArea, [file], Pipeline(), "api");
        planned.Count.ShouldBe(inferred.Count);
        foreach (var (typed, looked) in planned.Zip(inferred))
        {
            Columns(workArea, typed.Sql).ShouldBe(Columns(workArea, looked.Sql), typed.Sql);
            Rows(workArea, typed.Sql).ShouldBe(Rows(workArea, looked.Sql));
        }
    }

    private static Dictionary<string, string> Columns(DuckDB.NET.Data.DuckDBConnection workArea, string sql) =>
        NestedJson.Describe(workArea, $"({sql})").ToDictionary(c => c.Name, c => c.Type);

    private static string Rows(DuckDB.NET.Data.DuckDBConnection workArea, string sql)
    {
        using var reader = DuckDbCommands.Query(workArea, $"SELECT count(*), md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM ({sql}) t");
        reader.Read();
        return $"{reader.GetValue(0)} {reader.GetValue(1)}";
    }

    private static PipelineSettings Pipeline() =>
        new() { Name = "orders", Source = "api", Table = "orders", Location = new SourceLocation("wharf.yml", 1, 1) };
}
