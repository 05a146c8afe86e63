using System.Collections.Immutable;
using Wharf.Lake;
using Wharf.Projects;
using Wharf.Runs;

namespace Wharf.Staging;

/// <summary>
/// What to load: lake files of one extract (or one chunk of it) into one table, what else the
/// load must do (deletes, full refresh), and the audit row and state to write with it.
/// </summary>
internal sealed record LoadRequest(
    string Schema,
    string Table,
    WriteMode Mode,
    ImmutableArray<LakeManifest> Files,
    string LakeRoot,
    RunRecord Record)
{
    /// <summary>The columns merge and scd2 work by, as named in the source.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>
    /// When the rows are loaded: <c>_wharf_loaded_at</c>, and the time SCD2 versions open and close.
    /// The pipeline run's start, so a replay of the run writes the same values.
    /// </summary>
    public required DateTimeOffset LoadedAt { get; init; }

    /// <summary>The watermark loaded before this chunk: appended rows at or before it may already be in the table, and are skipped if so.</summary>
    public Incremental.Watermark? Loaded { get; init; }

    /// <summary>Lake files holding every key the source has now; rows with other keys are deleted. Null when deletes are not detected.</summary>
    public ImmutableArray<LakeManifest>? PresentKeys { get; init; }

    /// <summary>Where every live row's key is known to come from, so the deleted ones are found without reading the table; null when unknown.</summary>
    public KnownKeys? KnownKeys { get; init; }

    public DeleteMode Deletes { get; init; } = DeleteMode.Hard;

    /// <summary>The columns whose change opens a new SCD2 version; all data columns when empty.</summary>
    public IReadOnlyList<string> Track { get; init; } = [];

    /// <summary>The previous full snapshot (change_detection: hash): rows found there unchanged are not staged at all.</summary>
    public ImmutableArray<LakeManifest> Previous { get; init; } = [];

    /// <summary>
    /// Merge and scd2: no staged key can be in the table (it was empty when this run's first chunk
    /// loaded, and a run reads each key once), so rows are inserted without comparing.
    /// </summary>
    public bool AllNew { get; init; }

    /// <summary>
    /// Merge: the rows' keys are distinct already, as the source enforces them: a first load read
    /// whole, in one snapshot, by the source table's own primary key, with nothing that may change a
    /// key on the way (<see cref="Pipelines.StreamRun"/>). The load then does not count distinct keys.
    /// </summary>
    public bool KeysDistinct { get; init; }

    /// <summary>
    /// Drop the table first (<c>--full-refresh</c>), inside the load's transaction; the parts of a
    /// replace built as its extract runs only ignore the old table's schema, and its last step drops it.
    /// </summary>
    public bool Recreate { get; init; }

    /// <summary>The run id written into <c>_wharf_run_id</c>: the original run's, when a replay reloads its files.</summary>
    public string? RowsRunId { get; init; }

    /// <summary>Append: first remove the rows <see cref="RowsRunId"/> loaded before, so reloading a run cannot double it.</summary>
    public bool ReplacesRun { get; init; }

    /// <summary>SCD2 replay: first undo the history from this moment on (versions opened then are dropped, versions closed then reopen).</summary>
    public DateTimeOffset? RewindTo { get; init; }

    /// <summary>Whether this load ends the stream's run (its audit row says succeeded), or is one chunk of it (running).</summary>
    public bool Final { get; init; } = true;

    /// <summary>What the stream's state must be before this load (checked in its transaction); not checked when null.</summary>
    public Incremental.StateExpectation? Expected { get; init; }

    /// <summary>The stream's state after this load, saved in the same transaction.</summary>
    public Incremental.StreamState? State { get; init; }

    /// <summary>Declared types, schema contract, checks and processors the rows go through on their way in.</summary>
    public TableRules Rules { get; init; } = new();

    /// <summary>
    /// A cursor stream's last step: the lake files of the whole run, which its table checks
    /// (row_count, freshness, sql) judge once the chunks are loaded; empty otherwise.
    /// </summary>
    public ImmutableArray<LakeManifest> RunFiles { get; init; } = [];

    /// <summary>Whether the table checks (row_count, freshness, sql) judge this load: a cursor stream's chunks leave them to the run's end.</summary>
    public bool TableChecks { get; init; } = true;

    /// <summary>
    /// Where this load is in a replace built while its extract runs (<see cref="Warehouses.PartedReplace"/>):
    /// one of its parts, or the last step that checks the whole run and swaps the new table in.
    /// </summary>
    public ReplaceStep ReplaceStep { get; init; }

    /// <summary>
    /// A child table of nested JSON: the work-area relation of the documents its root table's load
    /// set aside (see <see cref="SetAsideDocuments"/>), whose rows are left out; null when none were.
    /// </summary>
    public string? LeftOutDocuments { get; init; }
}

/// <summary>Where a load is in a replace: the whole of it, or a replace built part by part as its extract runs.</summary>
internal enum ReplaceStep
{
    /// <summary>The table is built from all the load's files at once (and any other load).</summary>
    Whole,

    /// <summary>One part's rows go into the new table beside the old one; row checks only; nothing is recorded or committed.</summary>
    Part,

    /// <summary>No rows: the run's checks over every part (uniqueness too), the swap, the audit row and the state, the commit.</summary>
    Last,
}
