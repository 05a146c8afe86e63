using System.Collections.Immutable;
using System.Text.Json;

namespace Wharf.Incremental;

/// <summary>
/// How far a cursor stream has been loaded: the greatest cursor value actually loaded, one value
/// per cursor column, as text in DuckDB's exact form (timestamps with time zone in UTC). Sources
/// compare their columns with these texts, so the watermark survives any type the cursor has.
/// </summary>
/// <param name="Columns">The cursor columns, as named in the lake.</param>
/// <param name="Types">Their DuckDB types, for arithmetic (lookback) and comparisons in the warehouse.</param>
/// <param name="Values">The values; never NULL (rows with a NULL cursor do not move the watermark).</param>
internal sealed record Watermark(ImmutableArray<string> Columns, ImmutableArray<string> Types, ImmutableArray<string> Values)
{
    public string ToJson() => JsonSerializer.Serialize(new Stored([.. Columns], [.. Types], [.. Values]), StateJson.Default.Stored);

    public static Watermark? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        var stored = JsonSerializer.Deserialize(json, StateJson.Default.Stored) ?? throw new IncrementalStateException(json, $"The saved watermark '{json}' cannot be read.");
        return new Watermark([.. stored.Columns], [.. stored.Types], [.. stored.Values]);
    }

    /// <summary>For messages and the audit: <c>updated_at=2026-05-01 10:00:00+00</c>.</summary>
    public override string ToString() => string.Join(", ", Columns.Select((c, i) => $"{c}={Values[i]}"));

    /// <summary>Whether this watermark is for the same cursor (a changed cursor starts over).</summary>
    public bool Matches(IReadOnlyList<string> columns) => Columns.SequenceEqual(columns, StringComparer.Ordinal);

    /// <summary>How a watermark is kept in the state table (the names are its JSON's).</summary>
    internal sealed record Stored(string[] Columns, string[] Types, string[] Values);
}
