using System.Text.Json.Serialization;

namespace Wharf.Lake;

/// <summary>
/// The lake manifests' JSON (<see cref="LakeManifest"/>: snake_case, indented, nulls left out),
/// generated at build time: reflection-based serialization builds its metadata on first use, which
/// every run paid at its first lake file.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LakeManifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;
