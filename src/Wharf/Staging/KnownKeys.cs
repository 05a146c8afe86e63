using System.Collections.Immutable;
using Wharf.Lake;

namespace Wharf.Staging;

/// <summary>
/// The keys a table's live rows can have: those of the key summary the previous delete detection
/// went by (every row it left has one), and those of the rows loaded since. A superset is enough:
/// a key here that the table lacks only makes a delete that finds nothing.
/// </summary>
internal sealed record KnownKeys(ImmutableArray<LakeManifest> Previous, ImmutableArray<LakeManifest> Loaded);
