using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Sources.Http;

namespace Wharf.Tests.Sources.Http;

/// <summary>The spool keeps each record exactly, one per line, however the API laid it out, with the partition's variables it lacks.</summary>
public sealed class RecordSpoolTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("wharf-spool-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Records_AreOneLineEach_ExactlyAsSent_WithTheVariablesTheyLack()
    {
        const string page = "[\r\n  {\r\n    \"id\": 1,\n    \"note\": \"two\\nlines \\u00e9 \\\"quoted\\\"\",\n    \"big\": 123456789012345678901234567890,\n    \"day\": \"own\"\n  },\n  {},\n  {\"nested\": {\"a\": [1, 2.50, null]}},\n  42,\n  \"text\"\n]";
        var path = Path.Combine(folder, "partition.ndjson");
        using (var document = JsonDocument.Parse(page))
        using (var spool = new RecordSpool(path, [KeyValuePair.Create("day", "2024-01-02"), KeyValuePair.Create("region", "nörth \"x\"")]))
        {
            await spool.WriteAsync(document.RootElement, TestContext.Current.CancellationToken);
            await spool.CloseAsync();
            spool.Records.ShouldBe(5);
        }

        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        lines.Length.ShouldBe(5);
        string[] expected =
        [
            """{"id": 1, "note": "two\nlines é \"quoted\"", "big": 123456789012345678901234567890, "day": "own", "region": "nörth \"x\""}""",
            """{"day": "2024-01-02", "region": "nörth \"x\""}""",
            """{"nested": {"a": [1, 2.50, null]}, "day": "2024-01-02", "region": "nörth \"x\""}""",
            """{"value": 42, "day": "2024-01-02", "region": "nörth \"x\""}""",
            """{"value": "text", "day": "2024-01-02", "region": "nörth \"x\""}""",
        ];
        for (var i = 0; i < lines.Length; i++)
        {
            JsonNode.DeepEquals(JsonNode.Parse(lines[i]), JsonNode.Parse(expected[i])).ShouldBeTrue($"line {i + 1}: {lines[i]}");
        }

        lines[0].ShouldContain("123456789012345678901234567890", Case.Sensitive, "numbers keep their digits");
        lines[2].ShouldContain("2.50", Case.Sensitive, "numbers keep their digits");
    }
}
