using System.Diagnostics;
using DuckDB.NET.Data;
using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Sources.Sql;

/// <summary>
/// Where rows from a database land before the lake: a table in a private in-memory DuckDB,
/// filled by <see cref="DuckDbRowAppender"/> and written to the lake part by part. Each part gets a fresh database,
/// closed once its Parquet file is written, so memory stays the same whatever the table's size
/// (re-using one database let DuckDB's allocator grow with every part; measured in bench/).
/// A part handed to <c>OnPart</c> (a cursor chunk's load and commit) is committed while the next
/// part is staged: the source and the warehouse work at once, and commits stay in part order.
/// </summary>
internal sealed class StagingTable : IAsyncDisposable
{
    /// <summary>Rows staged in memory at once, shared by every extraction that runs in parallel.</summary>
    internal const int RowBudget = 1_000_000;

    private const string Name = "stage";

    private readonly LakeWriter lake;
    private readonly LakeTarget target;
    private readonly string createSql;
    private readonly string lakeSelect;
    private readonly int partRows;
    private readonly Func<LakeManifest, IReadOnlyList<ChildPart>, CancellationToken, Task>? onPart;
    private readonly Action<TimeSpan>? onPartOverlapped;
    private readonly List<LakeManifest> manifests = [];
    private DuckDBConnection? connection;
    private DuckDbRowAppender? appender;
    private long rowsAppended;
    private Task? committing;
    private TimeSpan committingTook;

    private StagingTable(LakeWriter lake, LakeTarget target, string createSql, string lakeSelect, int partRows,
        Func<LakeManifest, IReadOnlyList<ChildPart>, CancellationToken, Task>? onPart, Action<TimeSpan>? onPartOverlapped)
    {
        this.onPart = onPart;
        this.onPartOverlapped = onPartOverlapped;
        this.lake = lake;
        this.target = target;
        this.createSql = createSql;
        this.lakeSelect = lakeSelect;
        this.partRows = partRows;
    }

    /// <summary>A staged column: its DuckDB type while staged, and the expression that gives the lake column.</summary>
    public sealed record Column(string Name, string StageType, string LakeExpression);

    /// <param name="request">Where parts go (its target is the first part; later ones count up), their size, and who hears of each.</param>
    /// <param name="parallel">How many extractions may stage at once: each gets its share of <see cref="RowBudget"/>.</param>
    /// <exception cref="UnsupportedColumnException">Two columns' names differ only in case.</exception>
    public static async Task<StagingTable> CreateAsync(ExtractRequest request, IReadOnlyList<Column> columns, int parallel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureDistinctInDuckDb(request.Target.Stream, columns);
        var createSql = $"CREATE TABLE {Name} ({string.Join(", ", columns.Select(c => $"{Quote.Identifier(c.Name)} {c.StageType}"))})";
        var lakeSelect = $"SELECT {string.Join(", ", columns.Select(c => c.LakeExpression))} FROM {Name}";
        var share = Math.Max(10_000, RowBudget / Math.Max(1, parallel));
        var stage = new StagingTable(request.Lake, request.Target, createSql, lakeSelect, Math.Min(share, request.PartRows ?? share), request.OnPart, request.OnPartOverlapped);
        await stage.OpenPartAsync(cancellationToken);
        return stage;
    }

    /// <summary>
    /// DuckDB's names ignore (ASCII) case, so two source columns such as <c>Mixed</c> and <c>mixed</c>
    /// cannot both be staged: said plainly, with the way around it, instead of DuckDB's
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

    /// <summary>Appends a row; when the stage holds its share of <see cref="RowBudget"/>, it goes to the lake.</summary>
    public ValueTask AppendAsync(ReadOnlyMemory<object?> values, CancellationToken cancellationToken)
    {
        appender!.AppendRow(values.Span);
        return RowAddedAsync(cancellationToken);
    }

    /// <summary>The current row, for a source that writes its cells itself (see <see cref="DuckDbRowAppender.SetNull"/>); it ends with <see cref="EndRowAsync"/>.</summary>
    public DuckDbRowAppender Row => appender!;

    /// <summary>Ends a row written through <see cref="Row"/>; when the stage holds its share of <see cref="RowBudget"/>, it goes to the lake.</summary>
    public ValueTask EndRowAsync(CancellationToken cancellationToken)
    {
        appender!.EndRow();
        return RowAddedAsync(cancellationToken);
    }

    private async ValueTask RowAddedAsync(CancellationToken cancellationToken)
    {
        if (++rowsAppended == partRows)
        {
            await FlushAsync(cancellationToken);
            await OpenPartAsync(cancellationToken);
        }
    }

    /// <summary>Writes what is left (at least one part, so an empty table still has a schema in the lake), and waits for the last part's commit.</summary>
    public async Task<IReadOnlyList<LakeManifest>> CompleteAsync(CancellationToken cancellationToken)
    {
        if (manifests.Count == 0 || rowsAppended > 0)
        {
            await FlushAsync(cancellationToken);
        }

        await CommittedAsync();
        return manifests;
    }

    private async Task OpenPartAsync(CancellationToken cancellationToken)
    {
        connection = DuckDbConnections.Open(null);
        await connection.ExecuteAsync(createSql, cancellationToken);
        appender = DuckDbRowAppender.Open(connection, Name);
        rowsAppended = 0;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        appender!.Complete();
        var manifest = await lake.WriteAsync(connection!, target with { Part = target.Part + manifests.Count }, lakeSelect, [], cancellationToken);
        manifests.Add(manifest);
        ClosePart();
        if (onPart is not null)
        {
            // The previous part's commit first (its failure stops the extract here); this one's
            // runs while the next part is staged.
            await CommittedAsync();
            committing = TimedAsync(onPart(manifest, [], cancellationToken));
        }
    }

    private async Task TimedAsync(Task commit)
    {
        var clock = Stopwatch.StartNew();
        await commit;
        committingTook = clock.Elapsed;
    }

    /// <summary>Waits for the part's commit under way; what of it did not have to be waited for ran beside the extract.</summary>
    private async Task CommittedAsync()
    {
        if (committing is { } pending)
        {
            committing = null;
            var waited = Stopwatch.StartNew();
            await pending;
            onPartOverlapped?.Invoke(committingTook > waited.Elapsed ? committingTook - waited.Elapsed : TimeSpan.Zero);
        }
    }

    private void ClosePart()
    {
        appender?.Dispose();
        connection?.Dispose();
        (appender, connection) = (null, null);
    }

    /// <summary>
    /// On the way out of a failed extract, the commit under way is waited for, so that what the
    /// caller reads as committed is final; its own failure gives way to the extract's, which is
    /// already on its way (a failed commit rolled back, and its part is extracted again).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        ClosePart();
        try
        {
            await CommittedAsync();
        }
        catch (Exception ex) when (ex is WharfException or OperationCanceledException)
        {
            // See above: the extract's own error is the one reported.
        }
    }
}
