using System.Collections.Immutable;

namespace Wharf.Lake;

/// <summary>
/// The compact lake form of "every key the source has" (delete detection) for a single integer
/// key: one row per bucket of <see cref="Width"/> consecutive keys, with a bit set for each key
/// present. A source computes it on its server (a scan of the key, no key leaves the server) and a
/// warehouse compares it with the same summary of its table, so the keys a table has and the
/// source lacks come out exactly, without sending or holding every key.
/// </summary>
/// <remarks>
/// Both sides compute it with the same SQL, which DuckDB and PostgreSQL read alike: the bucket is
/// <c>key &gt;&gt; 5</c> (an arithmetic shift, so negative keys work), the bit <c>1 &lt;&lt; (key &amp; 31)</c>.
/// 32 bits keep every bucket's value a positive BIGINT: DuckDB refuses to shift into the sign bit.
/// A bucket may come in several rows (a source split in key ranges); readers combine them with
/// <c>bit_or</c>.
/// </remarks>
internal static class KeySummary
{
    /// <summary>The bucket: the key shifted right by <see cref="Shift"/>.</summary>
    public const string BucketColumn = "__wharf_key_bucket";

    /// <summary>The keys present in the bucket: bit <c>key &amp; 31</c> is set for each.</summary>
    public const string BitsColumn = "__wharf_key_bits";

    /// <summary>Keys per bucket.</summary>
    public const int Width = 32;

    private const int Shift = 5;

    private static readonly string[] IntegerTypes = ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"];

    /// <summary>Whether a key of this DuckDB type can be summarized: an integer type whose every value is a BIGINT.</summary>
    public static bool Fits(string duckDbType) => IntegerTypes.Contains(duckDbType);

    /// <summary>The bucket of an integer key, as BIGINT.</summary>
    /// <param name="key">The key as a BIGINT expression (e.g. <c>CAST("id" AS BIGINT)</c>).</param>
    public static string Bucket(string key) => $"({key} >> {Shift})";

    /// <summary>The key's bit in its bucket, as BIGINT.</summary>
    public static string Bit(string key) => $"(CAST(1 AS BIGINT) << CAST({key} & {Width - 1} AS INTEGER))";

    /// <summary>
    /// <c>SELECT bucket, bits … GROUP BY bucket</c> over a relation's non-NULL keys, in the column
    /// names of the lake form.
    /// </summary>
    /// <param name="key">The key column, quoted, as the relation names it.</param>
    /// <param name="from">What follows FROM (a table, or a subquery with its alias).</param>
    /// <param name="where">Further conditions on the rows (ANDed), or null.</param>
    public static string Select(string key, string from, string? where = null)
    {
        var value = $"CAST({key} AS BIGINT)";
        return $"SELECT {Bucket(value)} AS {BucketColumn}, bit_or({Bit(value)}) AS {BitsColumn} FROM {from} " +
            $"WHERE {key} IS NOT NULL{(where is null ? "" : $" AND ({where})")} GROUP BY 1";
    }

    /// <summary>Whether these lake files hold a key summary (rather than the keys themselves).</summary>
    public static bool Holds(ImmutableArray<LakeManifest> files) =>
        !files.IsDefaultOrEmpty && files.All(f => f.Columns is [{ Name: BucketColumn }, { Name: BitsColumn }]);
}
