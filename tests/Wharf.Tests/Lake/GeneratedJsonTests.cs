using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Wharf.Incremental;
using Wharf.Lake;

namespace Wharf.Tests.Lake;

/// <summary>
/// The JSON generated at build time (<see cref="ManifestJson"/>, <see cref="StateJson"/>) writes
/// exactly what reflection-based serialization wrote before it, so manifests and state written by
/// earlier versions read back, and new ones read the same to older tools.
/// </summary>
public sealed class GeneratedJsonTests
{
    /// <summary>The options manifests were written with before, metadata by reflection.</summary>
    private static readonly JsonSerializerOptions Reflection = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static readonly DateTimeOffset At = new(2026, 12, 6, 10, 30, 15, 123, TimeSpan.FromHours(1));

    [Fact]
    public void AManifest_IsWrittenAsReflectionWroteIt_AndReadsBack()
    {
        var manifest = new LakeManifest
        {
            RunId = "20261206T103015123Z-abcdef", Pipeline = "orders", Stream = "orders__items", File = "orders/orders__items/2026/12/06/x-0000.parquet",
            Rows = 3, Bytes = 1234, SourceQuery = "SELECT 'é' AS \"a\" -- <tag> & \u2028",
            Columns = [new LakeColumn("id", "BIGINT"), new LakeColumn("amount", "DECIMAL(38,2)") { StoredAs = "VARCHAR" }],
            SourceFiles = ["a.csv", new LakeSourceFile("in/b.csv") { Location = "s3://raw/x/", Size = 12, Modified = At, ETag = "\"e1\"" }],
            PrimaryKey = ["_wharf_parent_id", "_wharf_list_idx"],
            Checkpoint = "not in the file",
            StartedAt = At,
            FinishedAt = At.AddSeconds(1),
        };
        var json = JsonSerializer.Serialize(manifest, LakeManifest.Json);

        json.ShouldBe(JsonSerializer.Serialize(manifest, Reflection));
        json.ShouldNotContain("checkpoint");
        var read = JsonSerializer.Deserialize(json, LakeManifest.Json)!;
        read.ShouldBe(manifest with { Checkpoint = null, Columns = read.Columns, SourceFiles = read.SourceFiles, PrimaryKey = read.PrimaryKey });
        read.Columns.ShouldBe(manifest.Columns);
        read.SourceFiles.ShouldBe(manifest.SourceFiles);
        read.PrimaryKey.ShouldBe(manifest.PrimaryKey);
    }

    [Fact]
    public void AWatermark_IsKeptAsReflectionKeptIt_AndReadsBack()
    {
        var watermark = new Watermark(["updated_at", "id"], ["TIMESTAMP WITH TIME ZONE", "BIGINT"], ["2026-12-06 10:30:15.123+00", "42"]);

        var json = watermark.ToJson();

        json.ShouldBe("""{"Columns":["updated_at","id"],"Types":["TIMESTAMP WITH TIME ZONE","BIGINT"],"Values":["2026-12-06 10:30:15.123\u002B00","42"]}""");
        var read = Watermark.FromJson(json)!;
        read.Columns.ShouldBe(watermark.Columns);
        read.Types.ShouldBe(watermark.Types);
        read.Values.ShouldBe(watermark.Values);
    }
}
