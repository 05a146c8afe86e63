namespace Wharf.Dialects;

/// <summary>
/// The few places where the SQL Wharf generates differs between engines. Shared code (checks,
/// write modes) asks the dialect instead of testing which engine it has; each engine's answers
/// are its own class beside this one.
/// </summary>
internal abstract class SqlDialect
{
    public static SqlDialect DuckDb { get; } = new DuckDbDialect();

    public static SqlDialect Postgres { get; } = new PostgresDialect();

    /// <summary>The engine's name, for messages.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Statements that make <paramref name="name"/> a temporary table of the query's rows, replacing
    /// one of that name; it is gone at the latest when the load's transaction (PostgreSQL) or
    /// connection (DuckDB) ends.
    /// </summary>
    public abstract string TempTable(string name, string query);

    /// <summary>True when the text matches the regular expression (a quoted literal).</summary>
    public abstract string Matches(string text, string pattern);

    /// <summary>A timestamp as seconds since 1970-01-01 UTC, a double.</summary>
    public abstract string EpochSeconds(string timestamp);

    /// <summary>
    /// A statement that keeps other writers of <paramref name="table"/> waiting until the load's
    /// transaction ends (readers go on); null where one writer at a time is the engine's rule.
    /// </summary>
    public abstract string? LockForWrites(string table);

    /// <summary>
    /// A query of the views that read <paramref name="schema"/>.<paramref name="name"/>, directly or
    /// through other views: rows of (schema, name, definition), each after the views it reads;
    /// null where views are bound by name when queried, so replacing what they read keeps them.
    /// </summary>
    public virtual string? DependentViews(string schema, string name) => null;

    /// <summary>How many independent models may build at once.</summary>
    public virtual int ParallelBuilds => 1;

    /// <summary>Whether the engine writes query results to files itself (DuckDB's COPY … TO): exports then leave the writing to it.</summary>
    public virtual bool CopiesToFiles => false;
}
