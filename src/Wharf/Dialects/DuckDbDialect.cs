namespace Wharf.Dialects;

/// <summary>DuckDB's SQL: the work area, and the DuckDB warehouse.</summary>
internal sealed class DuckDbDialect : SqlDialect
{
    public override string Name => "DuckDB";

    public override string TempTable(string name, string query) => $"CREATE OR REPLACE TEMP TABLE {name} AS {query}";

    public override string Matches(string text, string pattern) => $"regexp_matches({text}, {pattern})";

    public override string EpochSeconds(string timestamp) => $"epoch({timestamp})";

    // Wharf's loads into one DuckDB file take turns (WarehouseGate), and DuckDB has no table locks.
    public override string? LockForWrites(string table) => null;

    public override bool CopiesToFiles => true;
}
