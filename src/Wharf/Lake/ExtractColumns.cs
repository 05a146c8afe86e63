using System.Collections.Immutable;

namespace Wharf.Lake;

/// <summary>
/// What a source already knows of the relation it hands <see cref="LakeWriter"/>: its columns, so
/// the writer need not ask DuckDB again (for files that would mean sniffing them again), which
/// of them hold numbers read as their text, to be typed from their values, and how wide its rows are.
/// </summary>
/// <param name="Columns">The relation's columns and DuckDB types, in order, as DESCRIBE gives them; none when only the rows' width is known (<see cref="OfWidth"/>).</param>
internal sealed record ExtractColumns(IReadOnlyList<KeyValuePair<string, string>> Columns)
{
    /// <summary>
    /// Columns the relation yields as their source text (VARCHAR) although they hold numbers, each
    /// with the type the source's reader would have given it (DOUBLE). Each becomes the
    /// DECIMAL(p,s) of its values (<see cref="DecimalText"/>), stored as that exact text; or, when
    /// some value is no plain decimal (an exponent, <c>inf</c>), the reader's type, stored as such.
    /// A value that is no number at all fails the write with DuckDB's conversion error.
    /// </summary>
    /// <value>None by default.</value>
    public ImmutableDictionary<string, string> NumbersAsText { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// About how many bytes a row takes, when the source can tell before the lake file is written (a
    /// CSV or NDJSON file's lines, the spool of an HTTP extract or of a batch of messages): wide rows
    /// are written in shorter Parquet row groups, which a load reads one at a time.
    /// </summary>
    /// <value>Null (unknown) by default: groups of <see cref="LakeWriter.RowGroupSize"/> rows.</value>
    public double? RowBytes { get; init; }

    /// <summary>Only how wide the rows are, from what <paramref name="rows"/> of them take: DuckDB is asked for the columns.</summary>
    public static ExtractColumns OfWidth(long bytes, long rows) => new ExtractColumns([]).WithWidth(bytes, rows);

    /// <summary>These columns, with the rows' width from what <paramref name="rows"/> of them take.</summary>
    public ExtractColumns WithWidth(long bytes, long rows) => this with { RowBytes = (double)bytes / Math.Max(rows, 1) };
}
