using System.Collections.Immutable;

namespace Wharf.Projects;

/// <summary>One pipeline of <c>wharf.yml</c>: where the data comes from, and where and how it lands.</summary>
internal sealed record PipelineSettings
{
    public required string Name { get; init; }

    /// <summary>How old the pipeline's last successful run may be before it counts as stale (<c>freshness: 2h</c>), or null.</summary>
    public TimeSpan? Freshness { get; init; }

    /// <summary>This pipeline's <c>lake_retention:</c>, overriding the project's; null: the project's.</summary>
    public LakeRetention? LakeRetention { get; init; }

    /// <summary>How far a run may stray from the pipeline's recent runs before <c>wharf serve</c> alerts (<c>deviation:</c>), or null.</summary>
    public DeviationSettings? Deviation { get; init; }

    /// <summary>The name of the connection the data comes from.</summary>
    public required string Source { get; init; }

    /// <summary>Globs, relative to the connection's folder (<c>files:</c>).</summary>
    public ImmutableArray<string> Files { get; init; } = [];

    /// <summary>Source tables of a database connection: names or globs, <c>!</c> to exclude (<c>tables:</c>).</summary>
    public ImmutableArray<string> Tables { get; init; } = [];

    /// <summary>
    /// One SQL query against a database connection (<c>query:</c>); its rows go to <see cref="Table"/>.
    /// Kept as a statement the extract can wrap (<c>(query) AS q</c>, a view over it): the
    /// semicolons that end a query typed on its own are dropped, and a last line that may end
    /// in a <c>--</c> comment is ended, so the wrapper's closing parenthesis is not commented out.
    /// </summary>
    public string? Query
    {
        get;
        init => field = value is null ? null : Wrappable(value);
    }

    private static string Wrappable(string query)
    {
        var trimmed = query.TrimEnd();
        while (trimmed.EndsWith(';'))
        {
            trimmed = trimmed[..^1].TrimEnd();
        }

        var lastLine = trimmed[(trimmed.LastIndexOf('\n') + 1)..];
        return lastLine.Contains("--", StringComparison.Ordinal) ? trimmed + "\n" : trimmed;
    }

    /// <summary>For an <c>http</c> connection: the request, the records and the paging (<c>endpoint:</c> and its keys).</summary>
    public HttpRequestSettings? Http { get; init; }

    /// <summary>For a <c>rabbitmq</c> or <c>nats</c> connection: what is consumed, in which batches.</summary>
    public MessageStreamSettings? Stream { get; init; }

    /// <summary>Whether to recreate the source's primary and foreign keys in the warehouse (<c>keys:</c>).</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool Keys { get; init; }

    /// <summary>How many tables (or key ranges) to extract at once (<c>parallel:</c>).</summary>
    /// <value>Defaults to the number of cores, at most 4.</value>
    public int Parallel { get; init; } = DefaultParallel;

    /// <summary>The number of cores, at most 4: extraction is I/O- and DuckDB-bound beyond that.</summary>
    public static int DefaultParallel => Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>The file format; <see cref="FileFormat.Auto"/> decides by extension.</summary>
    /// <value>Defaults to <see cref="FileFormat.Auto"/>.</value>
    public FileFormat Format { get; init; } = FileFormat.Auto;

    /// <summary>How CSV/TSV files are read.</summary>
    public CsvOptions Csv { get; init; } = new();

    /// <summary>How Excel workbooks are read (<c>excel:</c>).</summary>
    public ExcelSettings Excel { get; init; } = new();

    /// <summary>The warehouse table (for files and <c>query:</c>; <c>tables:</c> keep the source tables' names).</summary>
    /// <value>Defaults to the pipeline's name.</value>
    public required string Table { get; init; }

    /// <summary>The warehouse schema.</summary>
    /// <value>Defaults to <c>main</c>.</value>
    public string Schema { get; init; } = "main";

    /// <value>Defaults to <see cref="WriteMode.Append"/>.</value>
    public WriteMode Mode { get; init; } = WriteMode.Append;

    /// <summary>The key that <see cref="WriteMode.Merge"/> upserts by (<c>primary_key:</c>); database tables default to their own primary key.</summary>
    public ImmutableArray<string> PrimaryKey { get; init; } = [];

    /// <summary>Incremental loading: cursor, lookback, deletes, change detection (all off by default).</summary>
    public IncrementalSettings Incremental { get; init; } = new();

    /// <summary>What happens to a location's files after their rows are committed (<c>after_load:</c>); null: nothing.</summary>
    public AfterLoadSettings? AfterLoad { get; init; }

    /// <summary>Declared types, schema contract, checks and processors for the pipeline's tables.</summary>
    public TableRules Rules { get; init; } = new();

    /// <summary>Rules for single tables of a <c>tables:</c> pipeline (<c>per_table:</c>), each already including <see cref="Rules"/>.</summary>
    public ImmutableDictionary<string, TableRules> PerTable { get; init; } = ImmutableDictionary<string, TableRules>.Empty;

    /// <summary>The rules for one warehouse table of this pipeline.</summary>
    /// <param name="list">The table is a child table of nested JSON (from files, an API or messages).</param>
    /// <remarks>
    /// A files pipeline's rules are for its table; the child tables of nested JSON get only the
    /// schema contract and nesting depth (checks and processors name the parent's columns).
    /// </remarks>
    public TableRules RulesFor(string table, bool list = false) =>
        PerTable.TryGetValue(table, out var rules) ? rules
        : !list && (Files.IsEmpty || table == Table) ? Rules
        : new TableRules { Contract = Rules.Contract, MaxNesting = Rules.MaxNesting };

    /// <summary>
    /// Tables of a <c>tables:</c> pipeline to load in this order, before the rest (<c>load_order:</c>),
    /// for databases that declare no foreign keys.
    /// </summary>
    public ImmutableArray<string> LoadOrder { get; init; } = [];

    /// <summary>
    /// Foreign keys the source database does not declare (<c>foreign_keys: { table: { column: other.column } }</c>):
    /// they order the load as declared ones do, and <c>keys: true</c> recreates them.
    /// </summary>
    public ImmutableArray<DeclaredForeignKey> DeclaredForeignKeys { get; init; } = [];

    /// <summary>Where the pipeline is declared, for errors that happen at run time.</summary>
    public required SourceLocation Location { get; init; }
}

/// <summary>A foreign key declared in wharf.yml: <paramref name="Table"/>.<paramref name="Column"/> references <paramref name="ReferencedTable"/>.<paramref name="ReferencedColumn"/>.</summary>
internal sealed record DeclaredForeignKey(string Table, string Column, string ReferencedTable, string ReferencedColumn);

/// <summary>How rows reach the warehouse table.</summary>
internal enum WriteMode
{
    /// <summary>Add the extracted rows to the table.</summary>
    Append,

    /// <summary>Swap in a new table built from the extract; readers never see a half table.</summary>
    Replace,

    /// <summary>Upsert by primary key: new keys are inserted, existing ones updated. Loading the same rows twice changes nothing.</summary>
    Merge,

    /// <summary>History by primary key: a changed row closes its current version and opens a new one.</summary>
    Scd2,
}

internal enum FileFormat
{
    Auto,
    Csv,
    Tsv,
    Json,
    NdJson,
    Parquet,
    Excel,
}

/// <summary>CSV/TSV reading options; anything left unset is detected by DuckDB's sniffer.</summary>
internal sealed record CsvOptions
{
    public string? Delimiter { get; init; }

    public bool? Header { get; init; }

    public string? Quote { get; init; }

    public string? Escape { get; init; }

    /// <summary>utf-8 (default), utf-16 or latin-1.</summary>
    public string? Encoding { get; init; }

    /// <summary>Strings read as NULL.</summary>
    public ImmutableArray<string> NullStrings { get; init; } = [];

    /// <summary>strftime format for DATE columns, e.g. <c>%d/%m/%Y</c>.</summary>
    public string? DateFormat { get; init; }

    /// <summary>strftime format for TIMESTAMP columns.</summary>
    public string? TimestampFormat { get; init; }

    /// <summary>Lines to skip before the header.</summary>
    public int? Skip { get; init; }
}

/// <summary>A place in a project file; line 0 for settings from the command line (<c>wharf run --source</c>).</summary>
internal readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => Line == 0 ? File ?? "" : $"{File}:{Line}:{Column}";
}
