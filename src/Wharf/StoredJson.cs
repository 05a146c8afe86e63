using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Wharf;

/// <summary>
/// JSON metadata generated at build time for what every run writes and reads: the lists the audit
/// and the state keep, and watermarks. Reflection-based serialization builds this metadata on first
/// use, compiling an accessor per property: some 30 ms of every run's start.
/// </summary>
[JsonSerializable(typeof(ImmutableArray<string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Incremental.Watermark.Stored))]
internal sealed partial class StoredJson : JsonSerializerContext;

/// <summary>The lake manifests' JSON (<see cref="Lake.LakeManifest"/>), generated at build time as <see cref="StoredJson"/> is.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Lake.LakeManifest))]
internal sealed partial class ManifestJson : JsonSerializerContext;
