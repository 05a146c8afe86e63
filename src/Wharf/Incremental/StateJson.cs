using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Wharf.Incremental;

/// <summary>
/// JSON metadata generated at build time for what every run keeps in the audit and the state: the
/// lists (lake files, loaded files, present keys) and watermarks. Reflection-based serialization
/// builds this metadata on first use, compiling an accessor per property: some 30 ms of every run's start.
/// </summary>
[JsonSerializable(typeof(ImmutableArray<string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Watermark.Stored))]
internal sealed partial class StateJson : JsonSerializerContext;
