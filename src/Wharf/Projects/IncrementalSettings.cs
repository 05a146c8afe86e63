using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>
/// How a pipeline stays current without reloading everything: which rows are new (a cursor, or a
/// row hash against the last snapshot), and what happens to rows the source no longer has.
/// </summary>
internal sealed record IncrementalSettings
{
    /// <summary>Orderable columns (<c>cursor:</c>); each run extracts only rows at or past the saved watermark.</summary>
    public ImmutableArray<string> Cursor { get; init; } = [];

    /// <summary>How far before the watermark to read again, for rows committed late (<c>lookback:</c>).</summary>
    public Lookback? Lookback { get; init; }

    /// <summary>The watermark of the very first run (<c>initial:</c>), as text the source casts to the cursor's type.</summary>
    public string? Initial { get; init; }

    /// <summary>Whether rows gone from the source are deleted from the warehouse (<c>detect_deletes:</c>).</summary>
    public bool DetectDeletes { get; init; }

    /// <value>Defaults to <see cref="DeleteMode.Hard"/>.</value>
    public DeleteMode Deletes { get; init; } = DeleteMode.Hard;

    /// <summary><see cref="ChangeDetection.Hash"/> compares each run's full extract with the previous snapshot in the lake.</summary>
    public ChangeDetection ChangeDetection { get; init; } = ChangeDetection.None;

    /// <summary>The columns whose change opens a new SCD2 version (<c>track:</c>); all data columns when empty.</summary>
    public ImmutableArray<string> Track { get; init; } = [];

    /// <summary>Rows per committed chunk of a cursor extract (<c>chunk_rows:</c>); a crashed run resumes after the last one.</summary>
    public int? ChunkRows { get; init; }

    /// <summary>How a cursor stream's first load from a database is read and committed (<c>first_load:</c>).</summary>
    /// <value>Defaults to <see cref="FirstLoad.Whole"/>.</value>
    public FirstLoad FirstLoad { get; init; } = FirstLoad.Whole;

    /// <summary>
    /// New files only (<c>incremental: files</c>): the files loaded (path, size, modification time or
    /// ETag) are kept in the stream's state with the data, and a run reads only files not among them.
    /// </summary>
    public bool NewFilesOnly { get; init; }

    public bool HasCursor => !Cursor.IsEmpty;
}

internal enum DeleteMode
{
    /// <summary>Rows gone from the source are deleted.</summary>
    Hard,

    /// <summary>Rows gone from the source stay, with <c>_wharf_deleted_at</c> set.</summary>
    Soft,
}

/// <summary>
/// A first load is a cursor stream's run with no watermark yet into an empty table (or under
/// <c>--full-refresh</c>): every row of the source is read, and none is compared.
/// </summary>
internal enum FirstLoad
{
    /// <summary>
    /// From a database that reads one snapshot in parallel key ranges: read as a replace load
    /// reads it and committed once, its watermark the highest cursor read. A crash starts it over.
    /// </summary>
    Whole,

    /// <summary>In cursor order, committed chunk by chunk (<c>chunk_rows:</c>): slower, but a crash resumes after the last chunk.</summary>
    Chunks,
}

internal enum ChangeDetection
{
    None,

    /// <summary>Each run extracts everything; a row hash against the previous snapshot finds inserts, updates and deletes.</summary>
    Hash,
}

/// <summary>A lookback: a duration for temporal cursors (<c>10m</c>, <c>2h</c>, <c>1d</c>) or a number for numeric ones.</summary>
/// <param name="Text">As written in wharf.yml.</param>
/// <param name="Sql">The SQL value subtracted from the watermark: <c>INTERVAL '600 seconds'</c> or a number.</param>
/// <param name="Duration">The span, for a duration; null for a number.</param>
internal sealed record Lookback(string Text, string Sql, TimeSpan? Duration)
{
    public bool IsDuration => Duration is not null;

    /// <summary>
    /// A duration as the number a numeric cursor counts time in (an API's epoch seconds or
    /// milliseconds, <c>format: unix</c>/<c>unix_ms</c>), for when the cursor turns out to be one.
    /// </summary>
    public string? AsEpochNumber { get; init; }

    /// <summary>This lookback for a cursor that may hold epoch seconds (<c>unix</c>) or milliseconds (<c>unix_ms</c>).</summary>
    public Lookback InEpochUnits(string format) => Duration is not { } duration ? this : format switch
    {
        "unix" => this with { AsEpochNumber = ((long)duration.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        "unix_ms" => this with { AsEpochNumber = ((long)duration.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        _ => this,
    };

    private static readonly Dictionary<string, long> Units = new(StringComparer.Ordinal)
    {
        ["s"] = 1, ["m"] = 60, ["h"] = 3600, ["d"] = 86400,
    };

    /// <summary>Beyond this (about 300 years) a duration is a typo, and soon one that TimeSpan cannot hold.</summary>
    internal const long MaxSeconds = 10_000_000_000L;

    /// <summary>Parses <c>30s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c>, or a non-negative number.</summary>
    public static Lookback? Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length > 1 && Units.TryGetValue(trimmed[^1..], out var seconds)
            && long.TryParse(trimmed[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            && count <= MaxSeconds / seconds)
        {
            return new Lookback(trimmed, $"INTERVAL '{count * seconds} seconds'", TimeSpan.FromSeconds(count * seconds));
        }

        return decimal.TryParse(trimmed, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? new Lookback(trimmed, number.ToString(System.Globalization.CultureInfo.InvariantCulture), Duration: null)
            : null;
    }
}
