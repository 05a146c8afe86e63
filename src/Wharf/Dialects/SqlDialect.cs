namespace Wharf.Dialects;

/// <summary>The SQL dialect checks compile to: DuckDB (staged rows, DuckDB warehouses) or PostgreSQL (<c>wharf check</c> on a PostgreSQL warehouse).</summary>
internal enum SqlDialect
{
    DuckDb,
    Postgres,
}
