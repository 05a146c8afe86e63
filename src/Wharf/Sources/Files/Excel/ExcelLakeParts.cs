using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Channels;
using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Sources.Files.Excel;

/// <summary>
/// A workbook's lake parts, written while the sheets are still read: each chunk of the spool
/// (<see cref="ExcelChunk"/>) is drafted to Parquet as soon as it is whole, with the column types
/// of the rows read so far, while ExcelDataReader parses the next rows; the lake write no longer
/// waits for the last row (bench/README.md, Excel). Types are known only when the last row is read,
/// so only then are the drafts kept: one whose columns or types later rows changed (a column that
/// turned from whole numbers to fractions, a sheet with other columns) is written again from its chunk.
/// </summary>
internal sealed class ExcelLakeParts : IAsyncDisposable
{
    private readonly ExtractRequest request;
    private readonly Channel<ExcelChunk> chunks = Channel.CreateUnbounded<ExcelChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly List<(ExcelChunk Chunk, LakeDraft Draft)> drafts = [];
    private readonly List<(long Started, long Finished)> draftTimes = [];
    private readonly CancellationTokenSource stop;
    private readonly Task drafting;
    private int kept;

    /// <param name="request">The stream's extract: its work area, lake and first part, used by nothing else until <see cref="KeepAsync"/> returns.</param>
    public ExcelLakeParts(ExtractRequest request, CancellationToken cancellationToken)
    {
        this.request = request;
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drafting = Task.Run(() => DraftAsync(stop.Token), CancellationToken.None);
    }

    /// <summary>A chunk that is whole (called on the thread that wrote it).</summary>
    public void Add(ExcelChunk chunk) => chunks.Writer.TryWrite(chunk);

    private async Task DraftAsync(CancellationToken cancellationToken)
    {
        // One DuckDB thread: the drafts share the cores with the workbook reader and the row
        // writer, and the read is what the run waits for (one thread was faster in 4 of 5 rounds on 2 cores).
        request.WorkArea.Execute("SET threads = 1");
        await foreach (var chunk in chunks.Reader.ReadAllAsync(cancellationToken))
        {
            var target = request.Target with { Part = request.Target.Part + drafts.Count };
            var started = Stopwatch.GetTimestamp();
            var draft = await request.Lake.DraftAsync(request.WorkArea, target, ExcelSpool.ChunkRelation(chunk, chunk.Columns), chunk.Columns, cancellationToken);
            drafts.Add((chunk, draft));
            draftTimes.Add((started, Stopwatch.GetTimestamp()));
        }
    }

    /// <summary>Once every row is read: the parts in the lake, in order, each with the extract's final <paramref name="columns"/>.</summary>
    public async Task<IReadOnlyList<LakeManifest>> KeepAsync(ExtractColumns columns, ImmutableArray<LakeSourceFile> sourceFiles, CancellationToken cancellationToken)
    {
        chunks.Writer.Complete();
        var read = Stopwatch.GetTimestamp();
        await drafting;
        request.WorkArea.Execute("RESET threads"); // a rewrite has the machine to itself

        // The parts' writing time is the lake's (land), less what ran while the rows were still read.
        var overlapped = draftTimes.Sum(d => Math.Max(0, Math.Min(d.Finished, read) - d.Started));
        request.OnPartOverlapped?.Invoke(Stopwatch.GetElapsedTime(0, overlapped));
        var parts = new List<LakeManifest>(drafts.Count);
        for (; kept < drafts.Count; kept++)
        {
            var (chunk, draft) = drafts[kept];
            if (!chunk.Columns.Columns.SequenceEqual(columns.Columns))
            {
                LakeWriter.Discard(draft);
                draft = await request.Lake.DraftAsync(request.WorkArea, draft.Target, ExcelSpool.ChunkRelation(chunk, columns), columns with { RowBytes = chunk.Columns.RowBytes }, cancellationToken);
                drafts[kept] = (chunk, draft);
            }

            parts.Add(await request.Lake.KeepAsync(draft, sourceFiles, cancellationToken));
        }

        return parts;
    }

    /// <summary>Stops drafting (after a failed read too) and removes the drafts not kept.</summary>
    public async ValueTask DisposeAsync()
    {
        chunks.Writer.TryComplete();
        await stop.CancelAsync();
        try
        {
            await drafting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or DuckDbException or LakeException or IOException)
        {
            // KeepAsync told it, or the read failed first and that error is the one on its way.
        }

        foreach (var (_, draft) in drafts.Skip(kept))
        {
            LakeWriter.Discard(draft);
        }

        stop.Dispose();
    }
}
