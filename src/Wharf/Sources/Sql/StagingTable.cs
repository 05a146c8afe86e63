using Wharf.DuckDb;
using Wharf.Lake;

namespace Wharf.Sources.Sql;

/// <summary>
/// Where rows from a database land in DuckDB before the lake: a temporary table filled by the
/// appender and written to the lake part by part, then re-created. Memory is bounded by
/// <see cref="RowBudget"/> rows whatever the table's size.
/// </summary>
internal sealed class StagingTable : IAsyncDisposable
{
    /// <summary>Rows staged in memory at once, shared by every extraction that runs in parallel.</summary>
    internal const int RowBudget = 1_000_000;

    private readonly int partRows;

    private readonly DuckDbConnection workArea;
    private readonly LakeWriter lake;
    private readonly LakeTarget target;
    private readonly string name;
    private readonly string lakeSelect;
    private readonly string createSql;
    private readonly List<LakeManifest> manifests = [];
    private DuckDbAppender? appender;

    private StagingTable(DuckDbConnection workArea, LakeWriter lake, LakeTarget target, string name, string lakeSelect, string createSql, int partRows)
    {
        this.partRows = partRows;
        this.createSql = createSql;
        this.workArea = workArea;
        this.lake = lake;
        this.target = target;
        this.name = name;
        this.lakeSelect = lakeSelect;
    }

    /// <summary>A staged column: its DuckDB type while staged, and the expression that gives the lake column.</summary>
    public sealed record Column(string Name, string StageType, string LakeExpression);

    /// <param name="target">The first lake part to write; later parts count up from its <see cref="LakeTarget.Part"/>.</param>
    /// <param name="parallel">How many extractions may stage at once: each gets its share of <see cref="RowBudget"/>,
    /// so memory stays the same whatever the table's size and however many run together.</param>
    public static async Task<StagingTable> CreateAsync(DuckDbConnection workArea, LakeWriter lake, LakeTarget target, IReadOnlyList<Column> columns, int parallel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workArea);
        ArgumentNullException.ThrowIfNull(target);
        var name = $"__wharf_stage_{target.Stream}_{target.Part}";
        var createSql = $"CREATE OR REPLACE TEMP TABLE {Quote.Identifier(name)} ({string.Join(", ", columns.Select(c => $"{Quote.Identifier(c.Name)} {c.StageType}"))})";
        await workArea.ExecuteAsync(createSql, cancellationToken);
        var lakeSelect = $"SELECT {string.Join(", ", columns.Select(c => c.LakeExpression))} FROM temp.main.{Quote.Identifier(name)}";
        var partRows = Math.Max(10_000, RowBudget / Math.Max(1, parallel));
        return new StagingTable(workArea, lake, target, name, lakeSelect, createSql, partRows) { appender = workArea.CreateTemporaryTableAppender(name) };
    }

    /// <summary>Appends a row; when the stage holds its share of <see cref="RowBudget"/>, it goes to the lake.</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<object?> values, CancellationToken cancellationToken)
    {
        appender!.AppendRow(values.Span);
        if (appender.RowsAppended == partRows)
        {
            await FlushAsync(cancellationToken);
            appender = workArea.CreateTemporaryTableAppender(name);
        }
    }

    /// <summary>Writes what is left (at least one part, so an empty table still has a schema in the lake).</summary>
    public async Task<IReadOnlyList<LakeManifest>> CompleteAsync(CancellationToken cancellationToken)
    {
        if (manifests.Count == 0 || appender!.RowsAppended > 0)
        {
            await FlushAsync(cancellationToken);
        }

        return manifests;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        appender!.Close();
        appender.Dispose();
        appender = null;
        manifests.Add(await lake.WriteAsync(workArea, target with { Part = target.Part + manifests.Count }, lakeSelect, [], cancellationToken));

        // Re-created rather than emptied: DuckDB keeps the memory of deleted rows (measured in
        // bench/: +140 MiB per million rows with DELETE or TRUNCATE, flat with a new table).
        workArea.Execute(createSql);
    }

    public ValueTask DisposeAsync()
    {
        appender?.Dispose();
        workArea.Execute($"DROP TABLE IF EXISTS temp.main.{Quote.Identifier(name)}");
        return ValueTask.CompletedTask;
    }
}
