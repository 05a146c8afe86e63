namespace Wharf.Dialects;

/// <summary>PostgreSQL's SQL: the PostgreSQL warehouse.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public override string Name => "PostgreSQL";

    // ON COMMIT DROP: a load's temporary tables never outlive its transaction, even when it fails.
    public override string TempTable(string name, string query) => $"DROP TABLE IF EXISTS {name}; CREATE TEMP TABLE {name} ON COMMIT DROP AS {query}";

    public override string Matches(string text, string pattern) => $"({text} ~ {pattern})";

    public override string EpochSeconds(string timestamp) => $"extract(epoch FROM {timestamp})::float8";

    public override string LockForWrites(string table) => $"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE";
}
