using System.Text;
using System.Text.Json;
using Wharf.DuckDb;
using Wharf.Projects;
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
    [InlineData("2024-01-02", true)]
    [InlineData("10:00:00", true)]
    [InlineData("10:00:00.123456", true)]
    [InlineData("23:59:59.2", true)]
    [InlineData("2024-01-02T10:00:00", true)]
    [InlineData("2024-01-02T10:00:00.5Z", true)]
    [InlineData("2024-01-02 10:00:00.123456", true)]
    [InlineData("24-01-02", false)]
    [InlineData("01-02-2024", false)]
    [InlineData("2024-1-2", false)]
    [InlineData("2024-01-02T10:00:00+02:00", false)]
    [InlineData("2024-01-02 10:00:00Z", false)]
    [InlineData("2024-01-02T10:00:00.1234567Z", false)]
    [InlineData("10:00", false)]
    [InlineData("", false)]
    [InlineData("ok", false)]
    [InlineData("2024-01-02T", false)]
    public void IsoTemporalText_MatchesOnlyWhatAGivenTypeReadsAlike(string text, bool matches) =>
        IsoTemporalText.Matches(Encoding.UTF8.GetBytes(text)).ShouldBe(matches);

    private static PipelineSettings Pipeline() =>
        new() { Name = "orders", Source = "api", Table = "orders", Location = new SourceLocation("wharf.yml", 1, 1) };
}
