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

    // A view is bound to the table's identity, so the table cannot be dropped under it: its definition
    // is read first, dropped with CASCADE and created again over the new table, in one transaction.
    public override string? DependentViews(string schema, string name) => $"""
        WITH RECURSIVE dependents(oid, depth) AS (
          SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
          WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass({Quote.Literal(Quote.Qualified(schema, name))}) AND r.ev_class <> d.refobjid
          UNION
          SELECT r.ev_class, dependents.depth + 1 FROM dependents JOIN pg_depend d ON d.refobjid = dependents.oid JOIN pg_rewrite r ON r.oid = d.objid
          WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> dependents.oid AND dependents.depth < 50)
        SELECT n.nspname, c.relname, pg_get_viewdef(c.oid)
        FROM (SELECT oid, max(depth) AS depth FROM dependents GROUP BY oid) AS v
        JOIN pg_class c ON c.oid = v.oid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v'
        ORDER BY v.depth, n.nspname, c.relname
        """;

    public override int ParallelBuilds => 4;
}
