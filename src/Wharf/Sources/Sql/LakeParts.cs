using System.Diagnostics;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Sources.Sql;

/// <summary>
/// A database source's rows, written to the lake part by part as they are read. The rows go
/// through a <see cref="DuckDbRowFunction"/> in a private in-memory DuckDB: each part is one
/// <c>COPY (SELECT lake columns FROM the function) TO</c> its Parquet file, which pulls the rows
/// from the source as it writes, so no rows are held anywhere (they used to be staged in a DuckDB
/// table and then copied out: three passes instead of one, and memory that grew with the part;
/// bench/README.md). The source is read on a thread of its own, where DuckDB asks for its rows.
/// A part handed to <c>OnPart</c> (a cursor chunk's load and commit) or <c>OnPartWritten</c> (a
/// replace's new table, built meanwhile) is loaded while the next part is written: the source and
/// the warehouse work at once, and loads stay in part order.
/// </summary>
internal sealed class LakeParts : IDisposable
{
    /// <summary>Rows per lake part, shared by every extraction that runs in parallel.</summary>
    internal const int RowBudget = 1_000_000;

    private readonly DuckDBConnection connection;
    private readonly DuckDbRowFunction rows;
    private readonly ExtractRequest request;
    private readonly string lakeSelect;
    private readonly int partRows;

    private LakeParts(DuckDBConnection connection, DuckDbRowFunction rows, ExtractRequest request, string lakeSelect, int partRows)
    {
        this.connection = connection;
        this.rows = rows;
        this.request = request;
        this.lakeSelect = lakeSelect;
        this.partRows = partRows;
    }

    /// <summary>A column as the source reads it: its DuckDB type, and the expression that gives the lake column from it.</summary>
    public sealed record Column(string Name, string StageType, string LakeExpression);

    /// <param name="request">Where parts go (its target is the first part; later ones count up), their size, and who hears of each.</param>
    /// <param name="parallel">How many extractions may run at once: each gets its share of <see cref="RowBudget"/>.</param>
    /// <exception cref="UnsupportedColumnException">Two columns' names differ only in case.</exception>
    public static LakeParts Create(ExtractRequest request, IReadOnlyList<Column> columns, int parallel)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureDistinctInDuckDb(request.Target.Stream, columns);
        var share = Math.Max(10_000, RowBudget / Math.Max(1, parallel));
        var connection = DuckDbConnections.Open(null);
        try
        {
            // Lets the lake writer cut row groups by bytes (LakeWriter.WriteHere); the function's
            // rows come from one thread, so they keep their order all the same.
            connection.Execute("SET preserve_insertion_order = false");
            var rows = DuckDbRowFunction.Register(connection, "wharf_rows", [.. columns.Select(c => (c.Name, c.StageType))]);
            var lakeSelect = $"SELECT {string.Join(", ", columns.Select(c => c.LakeExpression))} FROM {rows.Sql}";
            return new LakeParts(connection, rows, request, lakeSelect, Math.Min(share, request.PartRows ?? share));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// DuckDB's names ignore (ASCII) case, so two source columns such as <c>Mixed</c> and <c>mixed</c>
    /// cannot both be read through it: said plainly, with the way around it, instead of DuckDB's
    /// "Column with name mixed already exists".
    /// </summary>
    private static void EnsureDistinctInDuckDb(string stream, IReadOnlyList<Column> columns)
    {
        static string Folded(string name) => string.Create(name.Length, name, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= 'A' and <= 'Z' ? (char)(text[i] + 32) : text[i];
            }
        });

        if (columns.GroupBy(c => Folded(c.Name), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            var names = clash.Select(c => c.Name).ToList();
            throw new UnsupportedColumnException(stream, names[^1], "",
                $"{stream}: the columns {string.Join(" and ", names.Select(n => $"'{n}'"))} differ only in case, and Wharf stages rows in DuckDB, " +
                $"whose names ignore case. Load them under different names with 'query:' (SELECT {string.Join(", ", names.Select((n, i) => $"{Quote.Identifier(n)} AS {Quote.Identifier($"{n}_{i + 1}")}"))}, …). Nothing was loaded.");
        }
    }

    /// <summary>
    /// Writes every row of <paramref name="source"/> to the lake (at least one part, so an empty
    /// table still has a schema there) and waits for the last part's commit. An exception of the
    /// source's comes out as it was thrown.
    /// </summary>
    public Task<IReadOnlyList<LakeManifest>> WriteAsync(IRowSource source, CancellationToken cancellationToken) =>
        Task.Factory.StartNew<IReadOnlyList<LakeManifest>>(() => Write(source, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private List<LakeManifest> Write(IRowSource source, CancellationToken cancellationToken)
    {
        var manifests = new List<LakeManifest>();
        Func<LakeManifest, CancellationToken, Task>? onPart = request.OnPart is { } commit ? (part, token) => commit(part, [], token) : request.OnPartWritten;
        Task<TimeSpan>? committing = null;
        try
        {
            rows.Start(source);
            do
            {
                rows.Next(partRows, cancellationToken);
                LakeManifest manifest;
                try
                {
                    manifest = request.Lake.WriteHere(connection, request.Target with { Part = request.Target.Part + manifests.Count }, lakeSelect, cancellationToken);
                }
                catch
                {
                    rows.ThrowIfSourceFailed();
                    throw;
                }

                manifests.Add(manifest);
                if (onPart is not null)
                {
                    // The previous part's commit first (its failure stops the extract here); this
                    // one's runs while the next part is written.
                    Committed(ref committing);
                    committing = TimedAsync(onPart(manifest, cancellationToken));
                }
            }
            while (rows.HasMore);

            Committed(ref committing);
            return manifests;
        }
        catch when (committing is { } pending)
        {
            // What the caller reads as committed must be final: the commit under way is waited
            // for, and its own failure gives way to this one (a failed commit rolled back, and
            // its part is extracted again).
            try
            {
                pending.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is WharfException or OperationCanceledException)
            {
            }

            throw;
        }
    }

    private static async Task<TimeSpan> TimedAsync(Task commit)
    {
        var clock = Stopwatch.StartNew();
        await commit;
        return clock.Elapsed;
    }

    /// <summary>Waits for a part's commit; what of it did not have to be waited for ran beside the extract.</summary>
    private void Committed(ref Task<TimeSpan>? committing)
    {
        if (committing is { } pending)
        {
            committing = null;
            var waited = Stopwatch.StartNew();
            var took = pending.GetAwaiter().GetResult();
            request.OnPartOverlapped?.Invoke(took > waited.Elapsed ? took - waited.Elapsed : TimeSpan.Zero);
        }
    }

    public void Dispose()
    {
        connection.Dispose();
        rows.Dispose();
    }
}
